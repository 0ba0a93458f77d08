"""People and customer organisations: users, accounts, memberships, account teams, invitations
and the people's API tokens."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from knox.models import AbstractAuthToken, AuthTokenManager

from accounts.addresses import address_key, address_plain
from config.emails import FAILURE_REASON_LENGTH
from config.single_line import validate_single_line


class TimeStamped(models.Model):
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class InternalRole(models.TextChoices):
    """Internal staff roles. Each is a Django group holding the role's permissions."""

    ACCOUNT_MANAGER = "account_manager", "Account manager"
    CUSTOMER_SUCCESS_MANAGER = "customer_success_manager", "Customer success manager"
    PRODUCT_MANAGER = "product_manager", "Product manager"
    PROGRAMME_ADMIN = "programme_admin", "Programme admin"


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **fields) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=address_plain(email), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **fields) -> User:
        fields.setdefault("is_staff", False)
        fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **fields)

    def create_superuser(self, email: str, password: str | None = None, **fields) -> User:
        fields["is_staff"] = True
        fields["is_superuser"] = True
        return self._create_user(email, password, **fields)

    def get_by_natural_key(self, username: str) -> User:
        user = self.get_by_address(username)
        if user is None:
            raise self.model.DoesNotExist("No login has this address.")
        return user

    def get_by_address(self, address: str) -> User | None:
        """The login an address typed means, however it is spelled: the person whose stored
        address has the same key (accounts.addresses), or None. Stored addresses are plain, so
        the key itself finds them on any database; the text as typed finds an address stored
        before addresses had to be plain."""
        key = address_key(address)
        candidates = self.filter(Q(email__iexact=key) | Q(email__iexact=str(address).strip()))
        matching = [user for user in candidates if address_key(user.email) == key]
        return min(matching, key=lambda user: user.pk, default=None)


class User(AbstractBaseUser, PermissionsMixin):
    """Anyone who logs in: a customer member or an internal user. Email is the login."""

    email = models.EmailField("email address", unique=True, validators=[validate_single_line])
    first_name = models.CharField(max_length=150, blank=True, validators=[validate_single_line])
    last_name = models.CharField(max_length=150, blank=True, validators=[validate_single_line])
    job_title = models.CharField(max_length=150, blank=True, validators=[validate_single_line])
    is_staff = models.BooleanField(
        "may use the Django admin",
        default=False,
        help_text="Programme admins get this with their role.",
    )
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    erased_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="When a programme admin erased this person's personal data (accounts."
        "services.person_erase); their contributions stay, shown as a former member.",
    )
    erased_by = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        help_text="The programme admin who erased this person.",
    )

    sessions_generation = models.PositiveIntegerField(
        default=0,
        editable=False,
        help_text="Raised to end every session of the person at once (accounts.services."
        "person_access_end): a session's hash then no longer matches.",
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        ordering = ["email"]

    def __str__(self) -> str:
        return self.full_name or self.email

    def clean(self) -> None:
        """An address is stored plain; one with look-alike letters is refused (the admin's
        forms call this). Checked before Django's own clean(), whose NFKC would quietly turn
        some look-alikes into the address they imitate."""
        try:
            self.email = address_plain(self.email)
        except ValidationError as error:
            raise ValidationError({"email": error.messages}) from None
        super().clean()

    def _get_session_auth_hash(self, secret: str | None = None) -> str:
        """Django's hash of the password, which each session keeps and compares at every
        request; once `sessions_generation` is raised it covers that too, so the sessions made
        before no longer match (generation 0 keeps Django's own hash: sessions stay valid)."""
        if not self.sessions_generation:
            return super()._get_session_auth_hash(secret=secret)
        return salted_hmac(
            "accounts.User.session_auth_hash",
            f"{self.password}:{self.sessions_generation}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.first_name or self.email

    @property
    def internal_roles(self) -> list[str]:
        """The internal roles this user holds, read from their groups (cached per instance)."""
        if not hasattr(self, "_internal_roles"):
            names = {choice.value for choice in InternalRole}
            self._internal_roles = sorted(g.name for g in self.groups.all() if g.name in names)
        return self._internal_roles

    def has_role(self, role: InternalRole) -> bool:
        return role.value in self.internal_roles

    @property
    def is_erased(self) -> bool:
        return self.erased_at is not None


class Segment(models.TextChoices):
    ENTERPRISE = "enterprise", "Enterprise"
    MID_MARKET = "mid_market", "Mid-market"
    SMB = "smb", "Small business"
    PUBLIC_SECTOR = "public_sector", "Public sector"


# Each segment's label by its value (Segment(value).label), built once: asked for every row of
# the pages, exports and API answers that show a segment.
_SEGMENT_LABELS = {segment.value: segment.label for segment in Segment}


def segment_label(segment: str) -> str:
    """How a segment is named on every page, export and API: its label; a value that is no
    segment (such as "" for all segments) as it is."""
    return _SEGMENT_LABELS.get(segment, segment)


class Tier(models.TextChoices):
    STRATEGIC = "strategic", "Strategic"
    GROWTH = "growth", "Growth"
    STANDARD = "standard", "Standard"


class Currency(models.TextChoices):
    """The currency of an account's contract (ISO 4217). accounts/formats.py writes amounts."""

    EUR = "EUR", "Euro (EUR)"
    USD = "USD", "US dollar (USD)"
    GBP = "GBP", "Pound sterling (GBP)"
    CHF = "CHF", "Swiss franc (CHF)"
    SEK = "SEK", "Swedish krona (SEK)"
    NOK = "NOK", "Norwegian krone (NOK)"
    DKK = "DKK", "Danish krone (DKK)"
    PLN = "PLN", "Polish złoty (PLN)"
    CZK = "CZK", "Czech koruna (CZK)"
    CAD = "CAD", "Canadian dollar (CAD)"
    AUD = "AUD", "Australian dollar (AUD)"
    NZD = "NZD", "New Zealand dollar (NZD)"
    SGD = "SGD", "Singapore dollar (SGD)"
    JPY = "JPY", "Japanese yen (JPY)"
    INR = "INR", "Indian rupee (INR)"
    BRL = "BRL", "Brazilian real (BRL)"


class Account(TimeStamped):
    """A B2B customer organisation."""

    name = models.CharField(max_length=200, validators=[validate_single_line])
    slug = models.SlugField(max_length=200, unique=True)
    segment = models.CharField(max_length=20, choices=Segment.choices, default=Segment.MID_MARKET)
    tier = models.CharField(max_length=20, choices=Tier.choices, default=Tier.STANDARD)
    annual_contract_value = models.DecimalField(
        max_digits=14, decimal_places=2, default=0, help_text="In the account's currency."
    )
    currency = models.CharField(
        max_length=3,
        choices=Currency.choices,
        default=Currency.EUR,
        help_text="The ISO 4217 code of the contract's currency.",
    )
    customer_since = models.DateField(null=True, blank=True)
    renewal_date = models.DateField(null=True, blank=True)
    # When the account's customers last did something (support events do not count): the
    # latest `occurred_at` of its customer activity events, NULL for none. Kept by the
    # services that record and delete events (community.services.engagement: a new event only
    # ever raises it, a deletion recomputes it) and recomputed by every engine run, so the
    # portfolio and the silent to-dos read it without looking through the events.
    last_customer_activity_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["name"]
        permissions = [
            ("view_all_accounts", "Can see every customer account"),
            ("manage_all_accounts", "Can change every customer account and its people"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(annual_contract_value__gte=0), name="account_acv_not_negative"
            ),
        ]
        indexes = [
            # Lists of accounts, and of their members and teams, are ordered by the account's
            # name: the first page of 250,000 members takes 2 ms with it, 200 ms without.
            models.Index(fields=["name"], name="account_name"),
            models.Index(fields=["renewal_date"], name="account_renewal_date"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        """Saving a loaded account writes every field but `last_customer_activity_at`, which
        only community.services.last_activity writes (a copy loaded before an event was
        recorded must not put the older moment back)."""
        if not self._state.adding and kwargs.get("update_fields") is None:
            kwargs["update_fields"] = [
                f.name
                for f in self._meta.concrete_fields
                if not f.primary_key and f.name != "last_customer_activity_at"
            ]
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("accounts:account-detail", kwargs={"slug": self.slug})


class MemberRole(models.TextChoices):
    MEMBER = "member", "Member"
    ADMIN = "admin", "Account admin"


class Membership(TimeStamped):
    """A customer user belongs to exactly one account."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership"
    )
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=MemberRole.choices, default=MemberRole.MEMBER)

    class Meta:
        ordering = ["account__name", "user__email"]

    def __str__(self) -> str:
        return f"{self.user} @ {self.account} ({self.get_role_display()})"

    @property
    def is_admin(self) -> bool:
        return self.role == MemberRole.ADMIN


class TeamRole(models.TextChoices):
    ACCOUNT_MANAGER = "account_manager", "Account manager"
    CUSTOMER_SUCCESS_MANAGER = "customer_success_manager", "Customer success manager"
    EXECUTIVE_SPONSOR = "executive_sponsor", "Executive sponsor"
    SOLUTIONS_ENGINEER = "solutions_engineer", "Solutions engineer"


class AccountTeamAssignment(TimeStamped):
    """An internal user assigned to a customer account, in a role."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="team_assignments"
    )
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="team_assignments")
    role = models.CharField(max_length=30, choices=TeamRole.choices)

    class Meta:
        ordering = ["account__name", "role", "user__email"]
        constraints = [
            models.UniqueConstraint(fields=["user", "account"], name="one_assignment_per_user"),
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.account} ({self.get_role_display()})"


class InvitationQuerySet(models.QuerySet):
    def pending(self) -> InvitationQuerySet:
        return self.filter(
            accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
        )


class Invitation(TimeStamped):
    """An email invitation to join an account; the link works once and expires."""

    TOKEN_SALT = "accounts.invitation"  # noqa: S105 (a signing salt, not a secret)

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(validators=[validate_single_line])
    role = models.CharField(max_length=10, choices=MemberRole.choices, default=MemberRole.MEMBER)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="invitations_sent",
    )
    expires_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    # Its email could not be sent, for good (accounts.services.invitation_send): not tried again.
    send_failed_at = models.DateTimeField("email failed at", null=True, blank=True)
    send_error = models.CharField(
        "why the email failed",
        max_length=FAILURE_REASON_LENGTH,
        blank=True,
        validators=[validate_single_line],
    )
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # One open invitation per address and account; accepted/revoked ones stay as history.
            models.UniqueConstraint(
                fields=["account", "email"],
                condition=Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="one_open_invitation_per_email",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} → {self.account}"

    @property
    def status(self) -> str:
        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "pending"

    @property
    def token(self) -> str:
        """Signed, so links cannot be guessed; single use and expiry are kept in the row, so the
        token carries no timestamp and is the same every time it is made."""
        return signing.Signer(salt=self.TOKEN_SALT).sign_object(self.pk)

    @classmethod
    def pk_from_token(cls, token: str) -> int | None:
        try:
            value = signing.Signer(salt=cls.TOKEN_SALT).unsign_object(token)
        except (signing.BadSignature, ValueError):
            return None
        return value if isinstance(value, int) else None

    def get_accept_url(self) -> str:
        return reverse("accounts:invitation-accept", kwargs={"token": self.token})


class ApiTokenManager(AuthTokenManager):
    """knox's manager (`create` makes the token and its digest), whose rows come with their
    owner's membership and account: knox's authentication finds a token through it and loads
    the owner with it, and every API call then asks accounts.access.customer_membership, which
    reads them from there instead of querying again (a query less per API call)."""

    def get_queryset(self):
        return super().get_queryset().select_related("user__membership__account")


class ApiToken(AbstractAuthToken):
    """A person's token for the API (`Authorization: Token …`), through django-rest-knox
    (settings.KNOX_TOKEN_MODEL): only a SHA-512 hash of it is stored (`digest`, the key), with
    its first characters (`token_key`) to find it and to show it by; it stops working at
    `expiry` (settings.API_TOKEN_TTL_DAYS after it was made). A person may hold several, one per
    script, each named, and sees when each was last used."""

    name = models.CharField(
        max_length=100,
        help_text="What the person uses it for.",
        validators=[validate_single_line],
    )
    last_used_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenManager()

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.name} ({self.token_key}…) of {self.user_id}"


class OutboxTask(models.Model):
    """A Celery task a transaction asked for, written in that transaction (accounts.outbox).

    Published after the commit; a row whose publish failed (the broker was down) stays pending
    until the relay publishes it. `claimed_at` is set while a process is publishing the row:
    the committing process claims its own rows at insert, a relay claims by one UPDATE, and a
    claim older than the lease counts as abandoned (its process died)."""

    task = models.CharField(max_length=200)
    args = models.JSONField(default=list, blank=True)
    kwargs = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    claimed_at = models.DateTimeField(null=True, blank=True)
    claim = models.CharField(max_length=32, blank=True)  # which relay run holds the claim
    published_at = models.DateTimeField(null=True, blank=True)
    # Set when the row itself cannot be published (its task is gone or no longer takes these
    # arguments, after a deploy): kept for a person to look at, never relayed again.
    failed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["pk"]
        indexes = [
            models.Index(
                fields=["claimed_at"],
                condition=Q(published_at__isnull=True, failed_at__isnull=True),
                name="outbox_pending_idx",
            ),
        ]

    def __str__(self) -> str:
        state = "published" if self.published_at else "failed" if self.failed_at else "pending"
        return f"{self.task} #{self.pk} ({state})"
