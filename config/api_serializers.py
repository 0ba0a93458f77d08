"""DRF's `rest_framework.serializers`, with string fields that take only strings.

Every API module imports this module in DRF's place:

    from config import api_serializers as serializers

and then declares its serializers as DRF's documentation shows. `serializers.CharField`,
`SlugField`, `EmailField`, `URLField` and `RegexField` are config.api_fields' strict ones (a
JSON number or boolean is a 400 field error, as the schema's "string" says), as are the fields
`serializers.ModelSerializer` builds from a model's text fields. `serializers.Serializer` and
`ModelSerializer` build their fields once per class and read rows with less work
(config.api_lean), answering as DRF's do. Every other name is DRF's own."""

from __future__ import annotations

from rest_framework.serializers import *  # noqa: F403 (every other name is DRF's own)

from config.api_fields import StrictCharField as CharField  # noqa: F401
from config.api_fields import StrictEmailField as EmailField  # noqa: F401
from config.api_fields import StrictModelSerializer as ModelSerializer  # noqa: F401
from config.api_fields import StrictRegexField as RegexField  # noqa: F401
from config.api_fields import StrictSlugField as SlugField  # noqa: F401
from config.api_fields import StrictURLField as URLField  # noqa: F401
from config.api_lean import LeanSerializer as Serializer  # noqa: F401
