"""Backups and restores of the whole database.

SQLite: the online backup API (a consistent copy while the site runs, WAL
included). PostgreSQL: ``pg_dump -Fc`` and ``pg_restore`` into a fresh,
empty database. Encrypted columns stay ciphertext in the file: a backup holds
no plaintext ID number or phone.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess  # nosec B404 - fixed argument lists, no shell
from pathlib import Path

from django.db import connection

from .errors import DomainError


class BackupFailed(DomainError):
    code = "backup_failed"
    status = 500


def _pg_env(db: dict) -> tuple[list[str], dict]:
    args = ["-h", str(db.get("HOST") or "127.0.0.1"), "-p", str(db.get("PORT") or 5432)]
    if db.get("USER"):
        args += ["-U", db["USER"]]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return args, env


def sqlite_connect(path) -> sqlite3.Connection:
    """A plain sqlite3 connection with the REGEXP function Django's CHECK
    constraints use (integrity_check evaluates them)."""
    db = sqlite3.connect(path)
    db.create_function(
        "REGEXP",
        2,
        lambda pattern, value: value is not None and re.search(pattern, str(value)) is not None,
        deterministic=True,
    )
    return db


def backup(target: Path) -> Path:
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        with sqlite3.connect(target) as dest:
            connection.connection.backup(dest)
        dest.close()
        os.chmod(target, 0o600)
        return target
    if connection.vendor == "postgresql":
        if not shutil.which("pg_dump"):
            raise BackupFailed("pg_dump is not installed")
        db = connection.settings_dict
        args, env = _pg_env(db)
        subprocess.run(  # nosec B603
            ["pg_dump", "-Fc", *args, "-f", str(target), db["NAME"]], env=env, check=True
        )
        os.chmod(target, 0o600)
        return target
    raise BackupFailed(f"no backup method for {connection.vendor}")


def restore(source: Path, *, into: str) -> str:
    """Restore ``source`` into a fresh database: for SQLite a file path that
    must not exist yet; for PostgreSQL the name of a database to create."""
    source = Path(source)
    if connection.vendor == "sqlite":
        target = Path(into)
        if target.exists():
            raise BackupFailed(f"{target} exists: restore only into a fresh database")
        with sqlite_connect(source) as src, sqlite_connect(target) as dest:
            src.backup(dest)
            check = dest.execute("PRAGMA integrity_check").fetchone()[0]
        if check != "ok":
            raise BackupFailed(f"integrity check: {check}")
        return str(target)
    if connection.vendor == "postgresql":
        db = connection.settings_dict
        args, env = _pg_env(db)
        subprocess.run(["createdb", *args, into], env=env, check=True)  # nosec B603 B607
        subprocess.run(  # nosec B603 B607
            ["pg_restore", *args, "--no-owner", "-d", into, str(source)], env=env, check=True
        )
        return into
    raise BackupFailed(f"no restore method for {connection.vendor}")
