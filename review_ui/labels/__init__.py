"""The UI's one catalogue, kept in one file per area so people can add labels side by side.

Every module here defines `LABELS: dict[str, tuple[str, str]]` (key -> (zh, en)); _i18n merges
them and refuses a key defined twice. Vocabulary names (industries, channels, statuses ...) live
in names.py under keys "<kind>:<identifier>".
"""
