"""Stage 1, sources: rubrics, label source cards, fetching and verifying their files, and the
loader into the canonical items + ratings tables (published sources and users' own labels), and
what is derived from them: preferences, a conversation's profile, where a quote sits."""

from empathy_bench.sources.card import HUMAN_GROUPS, RaterGroup, SourceCard, load_source_card
from empathy_bench.sources.datafile import data_file
from empathy_bench.sources.labels import AGGREGATES, LabelSet, group_table, load_source, rater_values
from empathy_bench.sources.preference import (
    PREFERENCE_COLUMNS,
    Choice,
    choices_from_ratings,
    majority,
    majority_reference,
    pairs_within,
)
from empathy_bench.sources.profile import Profile, ProfileThresholds, profile, profiles, ranked_problems
from empathy_bench.sources.quote import Located, evidence_turns, locate
from empathy_bench.sources.rubric import Dimension, Rubric, find_dimension, load_rubric
from empathy_bench.sources.transcript import parse_transcript
from empathy_bench.sources.user_labels import (
    read_hub_preferences,
    read_hub_ratings,
    read_items,
    read_labels,
    read_preferences,
    read_ratings,
)

__all__ = [
    "AGGREGATES",
    "Located",
    "Profile",
    "ProfileThresholds",
    "evidence_turns",
    "locate",
    "profile",
    "profiles",
    "ranked_problems",
    "PREFERENCE_COLUMNS",
    "Choice",
    "choices_from_ratings",
    "majority",
    "majority_reference",
    "pairs_within",
    "read_hub_preferences",
    "read_preferences",
    "HUMAN_GROUPS",
    "Dimension",
    "LabelSet",
    "RaterGroup",
    "Rubric",
    "SourceCard",
    "data_file",
    "find_dimension",
    "group_table",
    "load_rubric",
    "load_source",
    "load_source_card",
    "parse_transcript",
    "rater_values",
    "read_hub_ratings",
    "read_items",
    "read_labels",
    "read_ratings",
]
