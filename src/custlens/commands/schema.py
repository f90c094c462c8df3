"""`custlens schema`: the JSON Schema of a note's front matter and of YAML notes, for editors and CI."""

from __future__ import annotations

import json

from custlens.infra.config import Config
from custlens.models import note_schema


def schema(config: Config) -> str:
    """The schema as JSON text, from the model `check` validates with and custlens.yaml's kinds, segments
    and extra keys."""
    return json.dumps(note_schema(config.kinds, config.segments, config.attributes), indent=2) + "\n"
