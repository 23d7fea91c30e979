"""Where Rasa keeps the conversations: the tracker store's database, read from an endpoints file.

The purge must delete conversations from exactly the database the Rasa servers write to, so it
reads the same file they read (endpoints.yml for `make run`, config/endpoints.production.yml in
production) with Rasa's own reader, which expands `${ENV_VAR}` values, and builds the database
URL with Rasa's own `SQLTrackerStore.get_db_url`. The only difference: a relative SQLite path is
taken from the project root rather than from the current directory, because `make run` starts
Rasa there while cron or a timer may start the purge anywhere.

The store's `type` is `SQL` or the dotted path of a `SQLTrackerStore` subclass (the clinic's
`rasa_addons.stores.private_tracker_store.PrivateSQLTrackerStore`); both keep their events in
the same `events` table. Any other store (Redis, MongoDB, DynamoDB) is refused rather than
skipped: a purge that silently leaves every conversation in place would break the retention
promise without anyone noticing. No tracker store at all means Rasa keeps conversations in
memory only, and there is nothing stored to purge.
"""
from __future__ import annotations

import warnings
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Iterator, Optional, Union

from sqlalchemy.engine import URL, make_url

from intake.paths import PROJECT_ROOT

DEFAULT_ENDPOINTS = PROJECT_ROOT / "endpoints.yml"
SUPPORTED_DIALECTS = ("sqlite", "postgresql")
# Rasa's built-in stores that do not keep events in SQL.
NON_SQL_STORES = ("in_memory", "redis", "mongod", "dynamo")
# Rasa's default database file for a SQL tracker store without `db`.
RASA_DEFAULT_SQLITE_DB = "rasa.db"


class TrackerStoreConfigError(ValueError):
    """The endpoints file cannot be read, or its tracker store is not one the purge can handle."""


@dataclass(frozen=True)
class TrackerDatabase:
    """The tracker store's database: its SQLAlchemy URL and the keyword arguments Rasa would use
    for its engine (a PostgreSQL schema from POSTGRESQL_SCHEMA, for one)."""

    url: URL
    store_type: str
    engine_options: Dict[str, Any]

    @property
    def dialect(self) -> str:
        return self.url.get_backend_name()

    @property
    def sqlite_path(self) -> Optional[Path]:
        """The file of a SQLite tracker store (None for PostgreSQL)."""
        return Path(self.url.database) if self.dialect == "sqlite" and self.url.database else None

    def describe(self) -> str:
        """Which database, for the purge's output and errors: no user name, no password."""
        return describe_database(self.url)


def describe_database(url: Union[str, URL]) -> str:
    """A database named for people reading the purge's output: the SQLite file, or the server and
    database name; never the user name or password."""
    url = make_url(url)
    if url.get_backend_name() == "sqlite":
        return f"sqlite file {url.database or ':memory:'}"
    port = f":{url.port}" if url.port else ""
    return f"{url.get_backend_name()} database '{url.database}' on {url.host}{port}"


def _is_sql_store(store_type: str) -> bool:
    """True for Rasa's SQL store or a subclass of it named by its dotted path (as Rasa loads it)."""
    if store_type.lower() == "sql":
        return True
    if store_type.lower() in NON_SQL_STORES:
        return False
    import rasa.shared.utils.common
    from rasa.core.tracker_store import SQLTrackerStore

    try:
        store_class = rasa.shared.utils.common.class_from_module_path(store_type)
    except Exception as error:  # a missing module, a missing class, or a module that fails to load
        raise TrackerStoreConfigError(f"the tracker store class {store_type!r} cannot be imported "
                                      f"({type(error).__name__}: {error})") from error
    return isinstance(store_class, type) and issubclass(store_class, SQLTrackerStore)


def _sqlite_db_path(db: Optional[str]) -> str:
    path = Path(db or RASA_DEFAULT_SQLITE_DB)
    return str(path if path.is_absolute() else PROJECT_ROOT / path)


def find_tracker_database(endpoints: Union[str, Path] = DEFAULT_ENDPOINTS) -> Optional[TrackerDatabase]:
    """The tracker store's database named in `endpoints`, or None when the file configures no
    stored tracker (Rasa then keeps conversations in memory only).

    Raises TrackerStoreConfigError for a missing or unreadable file, an unset ${VAR}, or a store
    that is not SQL."""
    path = Path(endpoints)
    if not path.is_file():
        raise TrackerStoreConfigError(f"the endpoints file {path} does not exist")
    with _without_deprecation_warnings():
        return _tracker_database_in(path)


@contextmanager
def _without_deprecation_warnings() -> Iterator[None]:
    """Importing Rasa prints a screenful of deprecation warnings of its dependencies (it turns
    them on for itself); a daily job's output, often mailed by cron, should show only the purge.
    Other warnings are shown as usual."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield
    for warning in caught:
        if not issubclass(warning.category, DeprecationWarning):
            warnings.warn_explicit(warning.message, warning.category, warning.filename, warning.lineno)


def _tracker_database_in(path: Path) -> Optional[TrackerDatabase]:
    """The `tracker_store` section of one endpoints file, checked and turned into a URL (Rasa is
    imported here, not at the top, so that loading this module stays cheap)."""
    from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs, validate_port
    from rasa.shared.exceptions import RasaException
    from rasa.utils.endpoints import read_endpoint_config

    try:
        config = read_endpoint_config(str(path), "tracker_store")
    except (RasaException, ValueError) as error:
        raise TrackerStoreConfigError(f"the endpoints file {path} cannot be read: {error}") from error
    if config is None or config.type is None:
        return None
    if not _is_sql_store(str(config.type)):
        raise TrackerStoreConfigError(f"the tracker store in {path} is {config.type!r}; the purge handles "
                                      f"Rasa's SQL tracker store (type SQL or a subclass of SQLTrackerStore)")
    options = dict(config.kwargs)
    unexpanded = sorted(key for key, value in {"url": config.url, **options}.items() if "${" in str(value))
    if unexpanded:
        raise TrackerStoreConfigError(f"the tracker store in {path} has ${{VAR}} values that were not expanded "
                                      f"({', '.join(unexpanded)}): Rasa expands them only when unquoted")
    dialect = str(options.get("dialect") or "sqlite")
    if dialect.split("+")[0] not in SUPPORTED_DIALECTS:
        raise TrackerStoreConfigError(f"the tracker store's dialect {dialect!r} is not supported "
                                      f"(supported: {', '.join(SUPPORTED_DIALECTS)})")
    db = options.get("db")
    if dialect.startswith("sqlite"):
        db = _sqlite_db_path(db)
    try:
        url = SQLTrackerStore.get_db_url(dialect, config.url or None, validate_port(options.get("port") or None),
                                         db or RASA_DEFAULT_SQLITE_DB, options.get("username") or None,
                                         options.get("password") or None, None, options.get("query"))
    except RasaException as error:
        raise TrackerStoreConfigError(f"the tracker store in {path}: {error}") from error
    url = make_url(url) if isinstance(url, str) else url
    return TrackerDatabase(url=url, store_type=str(config.type), engine_options=create_engine_kwargs(url))
