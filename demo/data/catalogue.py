"""What the demo's ideas and pilots say: the catalogue `demo.data.ideas` seeds.

Thirty ideas that fit the themes of the open demo gardens (demo.data.gardens), each with the
job it should do, a proposal, its supporters at the default demo size, its comments and its way
through the workflow; and four pilots with what their members expected and experienced, so
that the results pages have something true-to-life to show.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from accounts.models import Segment
from ideas.models import IdeaStatus, PilotDecision

ONBOARDING = "onboarding-journeys"
FIELD = "field-service-on-the-move"
DATA = "data-exchange-and-apis"
RESILIENCE = "resilient-operations"

# Who writes a comment: a customer (one of the idea's supporters), the idea's author, or the
# demo product manager.
CUSTOMER, AUTHOR, PM = "customer", "author", "pm"
# The demo's customer member (printed by seed_demo) proposes one idea and supports two.
DEMO_MEMBER = "demo-member"
DEMO_MEMBER_SUPPORTS = ("offline-sync", "webhooks")
# Where the first demo account (whose logins seed_demo prints) stands in a pilot: invited, its
# admin has not accepted yet; or accepted, with a colleague of the demo member taking part.
INVITED, ACCEPTED = "invited", "accepted"


@dataclass(frozen=True)
class IdeaSpec:
    key: str
    garden: str
    title: str
    job_to_be_done: str
    proposal: str
    days_ago: float  # when it was proposed
    votes: int  # supporters at the default demo size (40 accounts)
    author: str = CUSTOMER  # CUSTOMER, DEMO_MEMBER, or a product manager: "pat", "raj", "lucia"
    # Moves by the demo product manager: (status, days ago, reason). A pilot's idea stops at
    # planned; its pilot moves it on.
    moves: tuple[tuple[str, float, str], ...] = ()
    comments: tuple[tuple[str, str], ...] = ()  # (who, text), in order
    withdrawn: tuple[float, str] | None = None  # (days ago, the author's reason)
    merged_into: tuple[str, float, str] | None = None  # (original's key, days ago, reason)
    links: tuple[str, ...] = ()


IDEAS: tuple[IdeaSpec, ...] = (
    # --- Onboarding journeys -------------------------------------------------------------------
    IdeaSpec(
        key="setup-wizard",
        garden=ONBOARDING,
        title="Guided set-up wizard for new workspaces",
        job_to_be_done="Get a new site live in its first week without booking a consultant: "
        "users, roles, approval chains and the first reports set up in the right order.",
        proposal="When we opened our third plant it took five weeks and two consulting days to "
        "configure the workspace. A step-by-step wizard that asks about our organisation and "
        "then sets up roles, approval chains and a starter dashboard would let our own admins "
        "do it. Show what is done and what is left, and let us pause and come back later.",
        days_ago=190,
        votes=30,
        moves=(
            (
                IdeaStatus.UNDER_REVIEW,
                176,
                "Many accounts tell us the same: set-up is slow. We are measuring how long new "
                "workspaces take to go live.",
            ),
            (
                IdeaStatus.PLANNED,
                162,
                "Set-up time is the first thing new customers mention. We will prototype a "
                "wizard and try it with accounts that are opening new sites.",
            ),
        ),
        comments=(
            (
                CUSTOMER,
                "Same for us: our second site took a month. Approval chains were the hard part.",
            ),
            (PM, "Thank you, this helps. Which steps did you need the consultant for?"),
            (AUTHOR, "Mostly roles and approval chains. Users and reports we managed ourselves."),
            (CUSTOMER, "Please make it possible to copy the set-up of an existing site."),
        ),
    ),
    IdeaSpec(
        key="role-paths",
        garden=ONBOARDING,
        title="Onboarding paths by role: planner, technician, approver",
        job_to_be_done="Teach each new colleague only what their role needs, so that they are "
        "productive in days rather than weeks.",
        proposal="Today every new user gets the same 40-minute tour. Technicians never open the "
        "reporting module and approvers never plan routes. Offer a short path per role with the "
        "three tasks that role does every day, and let admins pick the path when they invite "
        "someone.",
        days_ago=120,
        votes=18,
        moves=(
            (
                IdeaStatus.UNDER_REVIEW,
                101,
                "A good fit with the set-up wizard work; reviewing it with the onboarding team.",
            ),
            (
                IdeaStatus.PLANNED,
                58,
                "Planned for the next onboarding release, after the wizard, reusing its roles.",
            ),
        ),
        comments=(
            (
                CUSTOMER,
                "Our approvers would love this. They log in twice a month and forget "
                "everything in between.",
            ),
            (
                CUSTOMER,
                "Could a path include our own internal guidelines? A link per step would "
                "be enough.",
            ),
            (PM, "Links per step are in scope. Your own videos probably come later."),
        ),
    ),
    IdeaSpec(
        key="buddy",
        garden=ONBOARDING,
        title="A named onboarding buddy for the first 90 days",
        job_to_be_done="Have one person to ask during the first months, instead of opening "
        "tickets for small questions.",
        proposal="Give every new account a named person from your customer success team for "
        "the first 90 days, with a 20-minute call every two weeks. We would rather ask a person "
        "than search the knowledge base.",
        days_ago=75,
        votes=9,
        moves=(
            (
                IdeaStatus.UNDER_REVIEW,
                54,
                "Checking how this would work with our customer success capacity, especially "
                "for smaller accounts.",
            ),
        ),
        comments=(
            (CUSTOMER, "For a small team like ours this would make a real difference."),
            (
                PM,
                "A question back: would a buddy shared by a few small accounts, with office "
                "hours, work for you too?",
            ),
            (CUSTOMER, "Office hours are fine if we can book a slot."),
        ),
    ),
    IdeaSpec(
        key="scim",
        garden=ONBOARDING,
        title="Provision users from our identity provider on day one",
        job_to_be_done="Give the right people access on their first day, and take it away on "
        "their last, without anyone doing it by hand.",
        proposal="Support SCIM provisioning from Entra ID and Okta, with groups mapped to roles. "
        "Today our IT adds users by hand and forgets to remove leavers, which our auditors "
        "flag every year.",
        days_ago=48,
        votes=34,
        comments=(
            (CUSTOMER, "Our auditors flagged exactly this last year. +1 for Entra ID."),
            (CUSTOMER, "Okta here. Mapping groups to roles is the important part for us."),
            (
                CUSTOMER,
                "Please also handle people who change department: their role should "
                "follow the group.",
            ),
        ),
        links=("https://datatracker.ietf.org/doc/html/rfc7644",),
    ),
    IdeaSpec(
        key="sandbox",
        garden=ONBOARDING,
        title="A sandbox workspace with realistic sample data",
        job_to_be_done="Let new colleagues practise without fear of breaking real orders or "
        "reports.",
        proposal="A second workspace per account, filled with sample sites, orders and "
        "technicians, that resets every night. New users would try things there first, and we "
        "could run our own training sessions in it.",
        days_ago=40,
        votes=16,
        comments=(
            (
                CUSTOMER,
                "We build fake data by hand before every training session. This would "
                "save us a day each time.",
            ),
        ),
    ),
    IdeaSpec(
        key="training-copy",
        garden=ONBOARDING,
        title="Training environment for new hires",
        job_to_be_done="Train new hires on the real product without touching production data.",
        proposal="Could we get a copy of our workspace for training? Trainees keep creating test "
        "orders in production, which we then have to cancel one by one.",
        days_ago=26,
        votes=5,
        merged_into=(
            "sandbox",
            19,
            "The same need as “A sandbox workspace with realistic sample data”: merged, so that "
            "the support and the discussion are in one place.",
        ),
        comments=((CUSTOMER, "Same problem here with test orders."),),
    ),
    IdeaSpec(
        key="videos",
        garden=ONBOARDING,
        title="Short video walkthroughs on every screen",
        job_to_be_done="Understand a screen without reading a manual.",
        proposal="Put a one-minute video on every screen that explains what it is for and the "
        "two or three things people do there.",
        days_ago=150,
        votes=7,
        moves=(
            (
                IdeaStatus.UNDER_REVIEW,
                131,
                "Reviewing it together with the onboarding paths by role.",
            ),
            (
                IdeaStatus.DECLINED,
                109,
                "We tried videos with five accounts: few people watched past 20 seconds, and the "
                "videos were out of date after each release. We are putting the effort into "
                "onboarding paths by role and contextual help instead.",
            ),
        ),
        comments=(
            (CUSTOMER, "Videos are nice, but they age fast. Short texts might work better."),
        ),
    ),
    IdeaSpec(
        key="progress-report",
        garden=ONBOARDING,
        title="Onboarding progress report for our management",
        job_to_be_done="Show our leadership how far the rollout is, without building a report "
        "by hand every Friday.",
        proposal="A weekly summary per site: how many people are invited, active and trained, "
        "and which set-up steps are left. As a PDF or a link we can forward.",
        days_ago=12,
        votes=6,
    ),
    # --- Field service on the move -------------------------------------------------------------
    IdeaSpec(
        key="offline-sync",
        garden=FIELD,
        title="Offline mode with automatic sync for the mobile app",
        job_to_be_done="Finish a work order in a basement or on a wind farm with no signal, and "
        "have it in the office system as soon as the phone is back online.",
        proposal="Let technicians download today's jobs in the morning, work on them offline "
        "(checklists, photos, signatures) and sync by themselves when the connection returns. "
        "Show clearly what is still waiting to sync, and never lose data when two people edit "
        "the same job.",
        days_ago=210,
        votes=42,
        moves=(
            (
                IdeaStatus.UNDER_REVIEW,
                191,
                "The most supported idea of this garden. Starting a technical review of sync "
                "and of conflicting edits.",
            ),
            (
                IdeaStatus.PLANNED,
                66,
                "Planned: we are building an offline version of the app and want to try it "
                "with accounts that work on sites with poor coverage.",
            ),
        ),
        comments=(
            (
                CUSTOMER,
                "Half of our sites are in basements. Today technicians write on paper "
                "and type it in at the end of the day.",
            ),
            (CUSTOMER, "Conflicts matter: two technicians sometimes work on the same job."),
            (PM, "Noted. The first version keeps both versions and lets the office choose."),
            (CUSTOMER, "Photos are the heavy part for us. Please sync them in the background."),
            (CUSTOMER, "Can we take part in the pilot? We have 40 technicians on offshore sites."),
        ),
    ),
    IdeaSpec(
        key="barcodes",
        garden=FIELD,
        title="Scan spare-part barcodes with the phone camera",
        job_to_be_done="Record which spare part went into which machine without typing long "
        "part numbers.",
        proposal="Add a scan button to the parts list of a work order that reads the barcode or "
        "QR code on the part and fills in the part number and batch.",
        days_ago=95,
        votes=20,
        moves=(
            (IdeaStatus.UNDER_REVIEW, 80, "Checking which barcode formats suppliers use."),
            (
                IdeaStatus.PLANNED,
                44,
                "Planned for the summer release: EAN-13, Code 128 and QR codes first.",
            ),
        ),
        comments=(
            (CUSTOMER, "Most of our parts carry Code 128 labels."),
            (CUSTOMER, "It should also work with gloves on and in bad light."),
            (PM, "We will test with gloves and in low light before the release."),
        ),
    ),
    IdeaSpec(
        key="photo-notes",
        garden=FIELD,
        title="Draw on photos attached to work orders",
        job_to_be_done="Show the office exactly where the damage is, instead of describing it "
        "in a long text.",
        proposal="Let technicians circle, point at and label parts of a photo before they attach "
        "it to the work order.",
        days_ago=60,
        votes=12,
        moves=(
            (
                IdeaStatus.UNDER_REVIEW,
                36,
                "Reviewing it with the offline mode, since both change how photos are handled.",
            ),
        ),
        comments=((CUSTOMER, "An arrow and a short label would already be enough."),),
    ),
    IdeaSpec(
        key="dark-mode",
        garden=FIELD,
        title="Dark mode for night shifts",
        job_to_be_done="Use the app at night without being dazzled, and save battery on long "
        "shifts.",
        proposal="A dark theme for the mobile app that follows the phone's own setting.",
        days_ago=30,
        votes=14,
        author=DEMO_MEMBER,
        comments=(
            (CUSTOMER, "Our night crews would use this every single day."),
            (CUSTOMER, "Battery is the real issue for us on 12-hour shifts."),
        ),
    ),
    IdeaSpec(
        # Proposed again, in other words, by a customer who did not find the first: the
        # product manager's likely duplicates pair it with "Dark mode for night shifts".
        key="night-shift-dark-mode",
        garden=FIELD,
        title="A dark mode for the night shift",
        job_to_be_done="Read the screen in a dark plant room without ruining night vision.",
        proposal="Let us switch the app to dark colours, at least on the work-order screens.",
        days_ago=2,
        votes=1,
    ),
    IdeaSpec(
        key="voice-notes",
        garden=FIELD,
        title="Voice notes turned into the job report",
        job_to_be_done="Report what was done while still on the ladder, without typing on a "
        "small screen.",
        proposal="Record a voice note on the work order and have it transcribed into the report, "
        "which the technician can correct before closing the job.",
        days_ago=18,
        votes=10,
        comments=((CUSTOMER, "It needs to work in German and Polish for our crews."),),
    ),
    IdeaSpec(
        key="gloves",
        garden=FIELD,
        title="Bigger buttons for use with work gloves",
        job_to_be_done="Tick off checklist items without taking gloves off in the cold.",
        proposal="A field display option with larger touch targets and the most used actions at "
        "the bottom of the screen, within reach of the thumb.",
        days_ago=85,
        votes=11,
        moves=(
            (
                IdeaStatus.UNDER_REVIEW,
                71,
                "Our designers are testing larger touch targets for the next mobile release.",
            ),
        ),
        comments=(
            (
                CUSTOMER,
                "In winter our technicians take their gloves off twenty times a day. Not "
                "great at minus ten.",
            ),
        ),
    ),
    IdeaSpec(
        key="routes",
        garden=FIELD,
        title="Plan the best route across today's jobs",
        job_to_be_done="Spend less time driving between jobs.",
        proposal="Suggest the order of today's jobs and a route between them, taking traffic "
        "into account.",
        days_ago=170,
        votes=9,
        moves=(
            (
                IdeaStatus.UNDER_REVIEW,
                151,
                "Looking at how this fits with the dispatch tools our customers already use.",
            ),
            (
                IdeaStatus.DECLINED,
                121,
                "Most accounts plan routes in their dispatch or fleet tools, and we would be "
                "duplicating them. Instead, today's jobs can now be exported with their "
                "addresses, so that those tools plan the route.",
            ),
        ),
        comments=(
            (CUSTOMER, "We do this in our fleet system already; an export would be enough."),
            (PM, "Thank you, that matches what we hear from other accounts."),
        ),
    ),
    IdeaSpec(
        key="reassigned-push",
        garden=FIELD,
        title="Push notification when a job is reassigned",
        job_to_be_done="Know right away when a job has been taken off my list.",
        proposal="Send a push notification to the technician when the office gives one of their "
        "jobs to someone else.",
        days_ago=65,
        votes=3,
        withdrawn=(62, "Found it: it is in the app's notification settings already. Withdrawing."),
    ),
    IdeaSpec(
        key="asset-checklists",
        garden=FIELD,
        title="Checklist templates per asset type",
        job_to_be_done="Make sure that every inspection of the same kind of machine covers the "
        "same points.",
        proposal="Let us define a checklist per asset type (pump, compressor, lift) that is "
        "added to every work order for such an asset.",
        days_ago=8,
        votes=4,
    ),
    # --- Data exchange and APIs ----------------------------------------------------------------
    IdeaSpec(
        key="benchmark",
        garden=DATA,
        title="Benchmark our service levels against peers in our industry",
        job_to_be_done="Know whether our response times and first-time fix rate are good, "
        "compared with companies like ours, before our board asks.",
        proposal="If we agree to share anonymised service data, give us a quarterly benchmark: "
        "our figures next to the median and the top quartile of companies of our size and "
        "industry. No names, and only where enough companies take part.",
        days_ago=140,
        votes=28,
        moves=(
            (
                IdeaStatus.UNDER_REVIEW,
                122,
                "Strong interest. Anonymity and the agreement need care: reviewing it with our "
                "legal team.",
            ),
            (
                IdeaStatus.PLANNED,
                38,
                "Planned: a pilot with accounts that agree to share anonymised data under an NDA.",
            ),
        ),
        comments=(
            (CUSTOMER, "We would share data if it stays anonymous and we get something back."),
            (CUSTOMER, "Industry alone is too broad; size and region matter as well."),
            (
                PM,
                "Agreed. The pilot groups by industry and size, and shows a figure only where "
                "at least eight companies contribute.",
            ),
            (CUSTOMER, "Our legal team will want to read the agreement first."),
        ),
    ),
    IdeaSpec(
        key="webhooks",
        garden=DATA,
        title="Webhooks for work-order status changes",
        job_to_be_done="Update our ERP the moment a job is done, instead of polling the API "
        "every five minutes.",
        proposal="Send a signed webhook when a work order changes status, with retries and a "
        "delivery log we can look at when something goes wrong.",
        days_ago=110,
        votes=31,
        moves=(
            (
                IdeaStatus.UNDER_REVIEW,
                91,
                "A clear need; reviewing which delivery guarantees we can give.",
            ),
            (
                IdeaStatus.PLANNED,
                29,
                "Planned for the next API release: signed payloads, retries with backoff and a "
                "delivery log.",
            ),
        ),
        comments=(
            (CUSTOMER, "Polling costs us API quota and still leaves a five-minute delay."),
            (CUSTOMER, "Please sign the payloads; our security team will ask."),
            (PM, "Signing is in the plan: an HMAC with a secret per endpoint."),
        ),
    ),
    IdeaSpec(
        key="forecast",
        garden=DATA,
        title="Forecast of our consumption for the next quarter",
        job_to_be_done="Budget spare parts and service hours with numbers, not guesses.",
        proposal="Use our history, and the service data of similar accounts, to forecast next "
        "quarter's work orders and parts per site, as a range rather than one number.",
        days_ago=70,
        votes=13,
        author="raj",
        moves=(
            (
                IdeaStatus.UNDER_REVIEW,
                52,
                "Reviewing which accounts have enough history for a useful forecast.",
            ),
        ),
        comments=(
            (CUSTOMER, "A range is much more honest than one number. We would budget with it."),
            (CUSTOMER, "How much history do you need? We have two years."),
        ),
    ),
    IdeaSpec(
        key="warehouse-export",
        garden=DATA,
        title="Export to our data warehouse (Snowflake, BigQuery)",
        job_to_be_done="Combine your data with our own, in the warehouse our analysts already use.",
        proposal="A scheduled export of work orders, assets and time entries into Snowflake or "
        "BigQuery, or at least Parquet files in our own storage bucket.",
        days_ago=35,
        votes=22,
        comments=(
            (CUSTOMER, "Parquet files in our own S3 bucket would be enough."),
            (CUSTOMER, "BigQuery for us. Daily is fine."),
        ),
    ),
    IdeaSpec(
        key="sandbox-keys",
        garden=DATA,
        title="Sandbox API keys with test data",
        job_to_be_done="Build and test integrations without touching production.",
        proposal="Separate API keys that work against a sandbox with test data, with the same "
        "limits and behaviour as production.",
        days_ago=22,
        votes=8,
        comments=((CUSTOMER, "Our integration partner asked for exactly this."),),
    ),
    IdeaSpec(
        key="sharing-page",
        garden=DATA,
        title="A page that shows what data we share and what we get back",
        job_to_be_done="Decide with confidence which data to share, because we can see what it "
        "is used for.",
        proposal="One page per account that lists each data source it shares with us, who can "
        "see it and what it feeds (benchmarks, forecasts), with a switch to stop sharing.",
        days_ago=16,
        votes=7,
        author="raj",
        comments=((CUSTOMER, "This would help us a lot with our works council."),),
    ),
    IdeaSpec(
        key="rate-limits",
        garden=DATA,
        title="Higher API rate limits at month-end",
        job_to_be_done="Run our month-end reconciliation without hitting the limits.",
        proposal="Raise the rate limits in the last three days of the month, or let us book a "
        "higher limit for a few hours.",
        days_ago=6,
        votes=5,
    ),
    # --- Resilient operations ------------------------------------------------------------------
    IdeaSpec(
        key="status-page",
        garden=RESILIENCE,
        title="Incident status page with SMS alerts",
        job_to_be_done="Know within minutes when your service is down, before our technicians "
        "call us.",
        proposal="A status page per region with incident updates, and SMS or e-mail alerts to "
        "the people we name, including when the incident is over.",
        days_ago=160,
        votes=26,
        moves=(
            (IdeaStatus.UNDER_REVIEW, 141, "Reviewing it with our operations team."),
            (
                IdeaStatus.PLANNED,
                82,
                "Planned: a short pilot of a status page with SMS alerts for a few accounts.",
            ),
        ),
        comments=(
            (CUSTOMER, "During the last outage we heard about it from our own technicians."),
            (CUSTOMER, "SMS matters: our on-call people are not at a desk."),
            (PM, "Thank you. SMS alerts are part of the pilot."),
        ),
    ),
    IdeaSpec(
        key="read-only",
        garden=RESILIENCE,
        title="Read-only mode during maintenance windows",
        job_to_be_done="Let technicians still see their jobs during maintenance, even if they "
        "cannot change them.",
        proposal="During planned maintenance, keep the app readable (jobs, addresses, "
        "checklists) instead of showing an error page.",
        days_ago=100,
        votes=15,
        moves=(
            (
                IdeaStatus.UNDER_REVIEW,
                86,
                "Checking how much of the app can stay up during database maintenance.",
            ),
            (
                IdeaStatus.PLANNED,
                49,
                "Planned with the offline work: the app will show the jobs it has cached, "
                "read-only.",
            ),
        ),
        comments=((CUSTOMER, "Maintenance at night still hits our night shifts."),),
    ),
    IdeaSpec(
        key="recovery-drill",
        garden=RESILIENCE,
        title="A yearly recovery drill together with your IT team",
        job_to_be_done="Be sure, not just told, that we can recover after a major incident.",
        proposal="Once a year, run a recovery exercise with each account that wants one: we "
        "simulate an outage, restore from backup, and both IT teams check the data and the "
        "hand-offs.",
        days_ago=45,
        votes=10,
        author="pat",
        moves=(
            (
                IdeaStatus.UNDER_REVIEW,
                31,
                "Collecting which accounts would take part and what they want to test.",
            ),
        ),
        comments=(
            (CUSTOMER, "Our regulator asks for exactly this. Count us in."),
            (CUSTOMER, "Could it be twice a year for critical sites?"),
        ),
    ),
    IdeaSpec(
        key="incident-contact",
        garden=RESILIENCE,
        title="A named contact during major incidents",
        job_to_be_done="Talk to one person who knows our set-up when something goes wrong.",
        proposal="During major incidents, give each strategic account a named contact who calls "
        "us with updates.",
        days_ago=28,
        votes=9,
        comments=((CUSTOMER, "Even a shared phone line would help."),),
    ),
    IdeaSpec(
        key="incident-report",
        garden=RESILIENCE,
        title="Post-incident report within 48 hours",
        job_to_be_done="Explain to our own management what happened and what will prevent it "
        "next time.",
        proposal="After every incident that affected us, send a short report within 48 hours: "
        "what happened, the impact on our account, the root cause and what changes.",
        days_ago=14,
        votes=19,
        author="lucia",
        comments=(
            (CUSTOMER, "The impact on our account in particular is what we need."),
            (CUSTOMER, "A first version within 48 hours and a final one later would be realistic."),
        ),
    ),
    IdeaSpec(
        key="eu-failover",
        garden=RESILIENCE,
        title="Fail-over to a second EU region",
        job_to_be_done="Keep working if a whole data centre fails, without our data leaving "
        "the EU.",
        proposal="Run a standby copy of our workspace in a second EU region and switch over by "
        "itself in a major outage.",
        days_ago=80,
        votes=17,
        moves=(
            (
                IdeaStatus.UNDER_REVIEW,
                61,
                "Reviewing the cost and the recovery targets with our infrastructure team.",
            ),
        ),
        comments=(
            (CUSTOMER, "Data residency in the EU is a must for us."),
            (PM, "Understood: both regions would be in the EU."),
        ),
    ),
)

_PILOT_AGREEMENT = (
    "1. What you see in this pilot is unreleased and confidential: please do not share "
    "screenshots or details outside your company.\n"
    "2. Data you enter stays in your workspace and is covered by your existing contract.\n"
    "3. We may contact the participants about their feedback. Feedback is used to decide "
    "about the feature and is never shown to other customers with your name."
)


@dataclass(frozen=True)
class Feel:
    """How a pilot went for its members, on average: the answers are drawn around it."""

    expected: dict[str, float]  # dimension key → mean expected rating (1–7)
    experienced: dict[str, float]  # dimension key → mean experienced rating (1–7)
    segment_shift: dict[str, dict[str, float]] = field(default_factory=dict)  # on experience
    final_shift: dict[str, float] = field(default_factory=dict)  # final check-in vs mid-pilot
    adopt: float = 7.0  # mean likelihood to adopt (0–10)
    recommend: float = 7.0  # mean likelihood to recommend (0–10)
    unmet: tuple[str, ...] = ()  # "What did you expect that did not happen?"
    better: tuple[str, ...] = ()  # "What could we have done better?"


@dataclass(frozen=True)
class PilotSpec:
    key: str
    idea: str
    title: str
    description: str
    what_to_expect: str
    created: float  # days ago
    recruiting_opens: int  # days from today (negative: in the past)
    runs_from: int
    runs_until: int
    capacity: int
    accounts: int  # accounts taking part
    members: int  # members taking part, across those accounts
    feel: Feel
    agreement_title: str = "Pilot agreement"
    agreement_text: str = _PILOT_AGREEMENT
    eligible_segments: tuple[str, ...] = ()
    # After it closes: (decision, days ago, "you said, we did") or None (not decided yet)
    decision: tuple[str, float, str] | None = None
    final_answers: float = 1.0  # share of members who answered the final check-in
    demo_account: str = ""  # INVITED, ACCEPTED or "" (not invited)


PILOTS: tuple[PilotSpec, ...] = (
    PilotSpec(
        key="wizard",
        idea="setup-wizard",
        title="Set-up wizard for new sites",
        description="Four weeks with a guided set-up wizard for new workspaces and sites: "
        "organisation, roles, approval chains and a starter dashboard, in that order.",
        what_to_expect="A wizard of six steps that an admin can finish in about two hours, "
        "spread over several days if needed. Roles and approval chains are suggested from your "
        "answers, and you can change them later. It does not copy the set-up of an existing "
        "site yet.",
        created=158,
        recruiting_opens=-150,
        runs_from=-135,
        runs_until=-105,
        capacity=6,
        accounts=5,
        members=8,
        demo_account=ACCEPTED,
        decision=(
            PilotDecision.ADOPT,
            94,
            "You said the wizard cut set-up from weeks to days, but that the approval-chain "
            "step was confusing and that you wanted to copy an existing site. We did: the "
            "approval-chain step now draws the chain as you build it, “copy from an existing "
            "site” is in, and since this spring every new workspace starts with the wizard.",
        ),
        feel=Feel(
            expected={"useful": 5.6, "usable": 5.2, "delightful": 4.2, "speed": 5.0, "trust": 5.5},
            experienced={
                "useful": 6.0,
                "usable": 4.5,
                "delightful": 4.9,
                "speed": 5.8,
                "trust": 5.6,
            },
            final_shift={"usable": 0.6, "useful": 0.2},
            adopt=8.4,
            recommend=8.3,
            unmet=(
                "I expected to copy the set-up of our existing plant instead of starting over.",
                "The approval-chain step did not offer our four-eyes rule.",
                "I thought the starter dashboard would already show our KPIs.",
                "Nothing really. It did what the description promised.",
            ),
            better=(
                "Show a picture of the approval chain while we build it.",
                "Let us stop and come back later: a meeting interrupted us halfway through step 4.",
                "The roles step assumes everybody knows your names for the roles.",
                "Honestly, very little. Two afternoons instead of three weeks.",
                "Send the admin a summary of what was set up at the end.",
            ),
        ),
    ),
    PilotSpec(
        key="offline",
        idea="offline-sync",
        title="Offline mode for the mobile app",
        description="Six weeks with the offline version of the mobile app: download today's "
        "jobs, work without a connection, sync when you are back online.",
        what_to_expect="The day's jobs download in the morning over Wi-Fi. Checklists, notes, "
        "photos and signatures work offline. Sync starts by itself when the connection returns "
        "and usually finishes within a few minutes; photos follow in the background. If two "
        "people change the same job, both versions are kept and the office chooses. Maps do "
        "not work offline yet.",
        created=50,
        recruiting_opens=-42,
        runs_from=-28,
        runs_until=14,
        capacity=10,
        accounts=6,
        members=11,
        demo_account=ACCEPTED,
        feel=Feel(
            expected={"useful": 6.0, "usable": 5.4, "delightful": 4.0, "speed": 6.1, "trust": 5.8},
            experienced={
                "useful": 6.2,
                "usable": 5.0,
                "delightful": 4.9,
                "speed": 4.3,
                "trust": 5.9,
            },
            # Enterprises download long job lists (slow sync); small businesses short ones.
            segment_shift={
                Segment.ENTERPRISE: {"speed": -0.9, "usable": -0.3},
                Segment.SMB: {"speed": 0.8},
            },
            adopt=7.6,
            recommend=7.1,
            unmet=(
                "I expected the photos to sync with the rest of the job; they arrived an hour "
                "later.",
                "After a day in the tunnel, sync took over ten minutes for 60 jobs.",
                "I thought the maps would work offline too.",
                "I expected a clear list of what has not synced yet. It exists but is hidden in "
                "the settings.",
                "Nothing, it did what the description said.",
                "Expected the checklist photos to be smaller; our data plan ran out on day 3.",
            ),
            better=(
                "Show a banner with the number of jobs still waiting to sync.",
                "Sync photos over Wi-Fi only, or let us choose. Our data plans are small.",
                "The first download in the morning is slow on older phones.",
                "Conflict handling was great: the office saw both versions and picked one in a "
                "minute.",
                "Tell us before the pilot which Android versions are supported.",
                "Let us download tomorrow's jobs as well, not only today's.",
                "A sound or vibration when sync is finished would help in noisy plants.",
            ),
        ),
    ),
    PilotSpec(
        key="benchmark",
        idea="benchmark",
        title="Quarterly service benchmark",
        description="Share anonymised service data (response times, first-time fix rate, "
        "repeat visits) for two quarters and receive a benchmark against companies of your "
        "industry and size.",
        what_to_expect="Your account admin accepts the data-sharing agreement once, then you "
        "connect your workspace in two clicks. After the first quarter you receive a report "
        "with your figures next to the median and the top quartile of your peer group. A figure "
        "is shown only where at least eight companies contribute, so some may be missing at "
        "first. No company is ever named.",
        created=20,
        recruiting_opens=-6,
        runs_from=10,
        runs_until=190,
        capacity=12,
        accounts=3,
        members=4,
        demo_account=INVITED,
        agreement_title="Data-sharing and confidentiality agreement",
        agreement_text=(
            "1. Your account shares anonymised service data (response times, first-time fix "
            "rate, repeat visits) for the two quarters of the pilot.\n"
            "2. No figure that could identify a company is ever shown: a figure appears only "
            "where at least eight companies contribute.\n"
            "3. You may stop sharing at any time; data already shared is deleted within 30 "
            "days.\n"
            "4. The reports and the benchmark method are confidential until we publish them."
        ),
        eligible_segments=(Segment.ENTERPRISE, Segment.MID_MARKET, Segment.PUBLIC_SECTOR),
        feel=Feel(
            expected={"useful": 6.1, "usable": 5.0, "delightful": 4.1, "speed": 4.6, "trust": 6.3},
            experienced={},
        ),
    ),
    PilotSpec(
        key="status",
        idea="status-page",
        title="Status page and SMS alerts",
        description="Five weeks with a status page per region, and SMS and e-mail alerts to "
        "the on-call people you name.",
        what_to_expect="You name up to five people per account who receive alerts. When an "
        "incident starts they get an SMS within ten minutes, then an update at least every "
        "hour and a message when it is over. The status page shows current and past incidents "
        "of your region. Planned maintenance is announced three days ahead.",
        created=70,
        recruiting_opens=-60,
        runs_from=-38,
        runs_until=-3,
        capacity=4,
        accounts=3,
        members=4,
        final_answers=0.5,
        feel=Feel(
            expected={"useful": 6.2, "usable": 6.0, "delightful": 3.8, "speed": 6.4, "trust": 6.0},
            experienced={
                "useful": 5.6,
                "usable": 6.2,
                "delightful": 4.0,
                "speed": 4.9,
                "trust": 5.2,
            },
            adopt=6.8,
            recommend=6.4,
            unmet=(
                "The first SMS came 25 minutes after our technicians noticed the outage.",
                "I expected an update every hour; during the long incident there was a gap of "
                "three hours.",
            ),
            better=(
                "Let us add a shared on-call number, not only personal phones.",
                "Name the affected sites in the SMS, not only the region.",
            ),
        ),
    ),
)

IDEA_COUNT = len(IDEAS)
# The ideas the pilots and the merge need: always seeded.
REQUIRED_IDEAS = frozenset(
    {p.idea for p in PILOTS}
    | {i.key for i in IDEAS if i.merged_into}
    | {i.merged_into[0] for i in IDEAS if i.merged_into}
)
MIN_IDEAS = len(REQUIRED_IDEAS)

# The supporters in the catalogue are for the default demo: about 300 customer users.
REFERENCE_CUSTOMERS = 300
