"""Errors a user can act on, each with its own process exit code and HTTP status.

The CLI prints ``str(error)`` as one line and exits with ``error.exit_code``; nothing else is shown.
"""

from __future__ import annotations

# An unexpected failure (a bug, or a worker process that died): the CLI's exit code and a batch error line's.
INTERNAL_ERROR_EXIT = 70


class DenialParseError(Exception):
    """Base class: a problem with the input or the set-up that the user can fix."""

    exit_code = 1
    http_status = 500
    kind = "error"


class UsageError(DenialParseError):
    exit_code = 2
    http_status = 400
    kind = "usage"


class NotAPdfError(DenialParseError):
    exit_code = 10
    http_status = 415
    kind = "not_pdf"


class EmptyFileError(DenialParseError):
    exit_code = 11
    http_status = 400
    kind = "empty_file"


class CorruptPdfError(DenialParseError):
    exit_code = 12
    http_status = 422
    kind = "corrupt_pdf"


class EncryptedPdfError(DenialParseError):
    exit_code = 13
    http_status = 422
    kind = "encrypted_pdf"


class NoTextError(DenialParseError):
    exit_code = 14
    http_status = 422
    kind = "no_text"


class TooLargeError(DenialParseError):
    exit_code = 15
    http_status = 413
    kind = "too_large"


class ExtractionTimeoutError(DenialParseError):
    exit_code = 16
    http_status = 504
    kind = "timeout"


class ModelError(DenialParseError):
    """The model directory is missing, tampered with, or from an incompatible version."""

    exit_code = 20
    http_status = 500
    kind = "model"


class DataFileError(DenialParseError):
    """A corpus, case, knowledge-base or JSONL input file is malformed."""

    exit_code = 21
    http_status = 422
    kind = "data_file"


class ClusterError(DenialParseError):
    """``batch --scheduler``: Dask is not installed, the scheduler cannot be reached, or its workers are unfit."""

    exit_code = 22
    http_status = 503
    kind = "cluster"


ALL_ERRORS: tuple[type[DenialParseError], ...] = (
    UsageError,
    NotAPdfError,
    EmptyFileError,
    CorruptPdfError,
    EncryptedPdfError,
    NoTextError,
    TooLargeError,
    ExtractionTimeoutError,
    ModelError,
    DataFileError,
    ClusterError,
)
