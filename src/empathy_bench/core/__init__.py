"""Foundations every stage may use: errors that name the input and the fix, the project folder
and its YAML files, the two kinds of pydantic model, sha256 digests."""

from empathy_bench.core.digest import sha256_bytes, sha256_file
from empathy_bench.core.errors import ChecksumError, EmpathyBenchError, InputError
from empathy_bench.core.models import FileModel, Record, input_error
from empathy_bench.core.project import find_file, load_model, load_named, project_dir, project_files

__all__ = [
    "ChecksumError",
    "EmpathyBenchError",
    "FileModel",
    "InputError",
    "Record",
    "find_file",
    "input_error",
    "load_model",
    "load_named",
    "project_dir",
    "project_files",
    "sha256_bytes",
    "sha256_file",
]
