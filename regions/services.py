"""Operations on regions and users that span many rows: importing the code list, creating accounts."""

from __future__ import annotations

import secrets
from collections import Counter
from dataclasses import dataclass, field

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from regions import access
from regions.bulk import insert_rows
from regions.imports import ImportRejected, LineError, Rows, header_of
from regions.models import (
    CODE_SHAPES,
    COUNTRY_CODE,
    KINDS_BY_LEVEL,
    Kind,
    Level,
    Region,
    User,
    parent_code_of,
)

REGION_COLUMNS = ("code", "name", "level", "parent_code", "kind")
BATCH = 2000


@dataclass(frozen=True)
class RegionRow:
    line: int
    code: str
    name: str
    level: Level
    kind: str


@dataclass
class RegionImportResult:
    in_file: Counter = field(default_factory=Counter)
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    retired: Counter = field(default_factory=Counter)

    @property
    def changed(self) -> bool:
        return bool(sum(self.created.values()) + sum(self.updated.values()) + sum(self.retired.values()))


def ensure_country() -> Region:
    """The root row. Migration 0002 creates it; a flushed test database may not have it."""
    country, _created = Region.objects.get_or_create(
        code=COUNTRY_CODE, defaults={"name": "Indonesia", "level": Level.COUNTRY, "kind": Kind.NEGARA}
    )
    return country


def parse_region_rows(lines: Rows, existing_codes: set[str]) -> list[RegionRow]:
    """Check every line of a Kemendagri region list; raise ImportRejected listing all bad lines."""
    missing = [c for c in REGION_COLUMNS if c not in header_of(lines)]
    if missing:
        raise ImportRejected([LineError(1, _("kolom tidak ada: %s") % ", ".join(missing))])

    rows: list[RegionRow] = []
    errors: list[LineError] = []
    seen: dict[str, int] = {}
    for number, raw in lines:
        code, name, level_slug, parent, kind = (raw.get(c, "") for c in REGION_COLUMNS)
        level = Level.from_slug(level_slug)
        problem = None
        if level is None:
            problem = _("tingkat '%s' tidak dikenal (province, regency, district, village)") % level_slug
        elif not CODE_SHAPES[level].fullmatch(code):
            problem = _("kode '%(code)s' tidak berbentuk kode %(level)s") % {"code": code, "level": level.label}
        elif code in seen:
            problem = _("kode %(code)s ganda, sudah ada di baris %(line)d") % {"code": code, "line": seen[code]}
        elif not name:
            problem = _("nama kosong")
        elif kind not in KINDS_BY_LEVEL[level]:
            problem = _("jenis '%(kind)s' tidak cocok untuk tingkat %(level)s") % {"kind": kind, "level": level.label}
        elif parent != ("" if level == Level.PROVINCE else parent_code_of(code)):
            problem = _("kode induk '%(parent)s' tidak cocok dengan kode %(code)s") % {"parent": parent, "code": code}
        if problem:
            errors.append(LineError(number, problem))
            continue
        seen[code] = number
        rows.append(RegionRow(number, code, name, level, kind))

    for row in rows:
        parent = parent_code_of(row.code)
        if row.level > Level.PROVINCE and parent not in seen and parent not in existing_codes:
            errors.append(
                LineError(row.line, _("induk %s tidak ada di berkas maupun di basis data") % parent)
            )
    if errors:
        raise ImportRejected(sorted(errors, key=lambda e: e.line))
    return rows


def _codes_to_retire(file_codes: set[str], existing: dict[str, "_Existing"]) -> set[str]:
    """Regions dropped by a newer edition, and everything below them.

    A region is dropped when the file lists its parent's children (the parent and at least one
    child are in the file) but not it. A file that is one regency's list, or that stops at the
    kecamatan, therefore retires nothing outside what it lists.
    """
    listed_parents = {parent_code_of(code) for code in file_codes} & file_codes
    roots = {
        code
        for code, row in existing.items()
        if row.is_current and code not in file_codes and parent_code_of(code) in listed_parents
    }
    if not roots:
        return set()
    retired = set()
    for code, row in existing.items():
        if not row.is_current:
            continue
        parts = code.split(".")
        if any(".".join(parts[:i]) in roots for i in range(1, len(parts) + 1)):
            retired.add(code)
    return retired


@dataclass(frozen=True)
class _Existing:
    id: int
    name: str
    kind: str
    level: int
    is_current: bool


@transaction.atomic
def region_import(*, rows: Rows, retire_missing: bool = True) -> RegionImportResult:
    """Import a Kemendagri code list (columns code,name,level,parent_code,kind), read by `read_table`.

    All or nothing: any bad line aborts before a row is written. New codes are added,
    renamed ones updated, and regions a newer edition drops are kept but marked no longer
    current (sessions and NIKs still refer to them). A second run changes nothing.
    `retire_missing=False` adds and renames only, for a file that is an excerpt, not an edition.
    """
    ensure_country()
    existing = {
        code: _Existing(pk, name, kind, level, current)
        for code, pk, name, kind, level, current in Region.objects.values_list(
            "code", "id", "name", "kind", "level", "is_current"
        )
    }
    rows = parse_region_rows(rows, set(existing))
    result = RegionImportResult()
    ids = {code: row.id for code, row in existing.items()}

    for level in (Level.PROVINCE, Level.REGENCY, Level.DISTRICT, Level.VILLAGE):
        level_rows = [r for r in rows if r.level == level]
        result.in_file[level] = len(level_rows)
        new = [
            (r.code, r.name, int(level), r.kind, ids[parent_code_of(r.code)])
            for r in level_rows
            if r.code not in existing
        ]
        _add_regions(new)
        result.created[level] = len(new)
        if new:
            ids.update(Region.objects.filter(level=level).values_list("code", "id"))

        changed = []
        for r in level_rows:
            old = existing.get(r.code)
            if old and (old.name != r.name or old.kind != r.kind or not old.is_current):
                changed.append(Region(id=old.id, name=r.name, kind=r.kind, is_current=True))
        Region.objects.bulk_update(changed, ["name", "kind", "is_current"], batch_size=BATCH)
        result.updated[level] = len(changed)

    retired = sorted(_codes_to_retire({r.code for r in rows}, existing)) if retire_missing else []
    for start in range(0, len(retired), BATCH):
        Region.objects.filter(code__in=retired[start : start + BATCH]).update(is_current=False)
    for code in retired:
        result.retired[Level(existing[code].level)] += 1
    return result


def _add_regions(new: list[tuple[str, str, int, str, int]]) -> None:
    """Insert new regions given as (code, name, level, kind, parent id), without model instances:
    a first import adds 91,599 rows, and building and compiling that many instances for
    `bulk_create` took about two thirds of its time."""
    names = ("code", "name", "level", "kind", "parent", "is_current")
    columns = [Region._meta.get_field(name).column for name in names]
    insert_rows(Region._meta.db_table, columns, ((*row, True) for row in new))


# ---- Accounts -------------------------------------------------------------------------

OPERATOR_COLUMNS = ("username", "nama", "email", "wilayah")


@dataclass
class AccountRow:
    line: int
    username: str
    full_name: str
    email: str
    role: str
    region_codes: list[str]
    errors: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class CreatedAccount:
    username: str
    password: str


def generate_password() -> str:
    """A first password that is easy to read aloud or type on a phone, and strong enough."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    return "-".join("".join(secrets.choice(alphabet) for _ in range(4)) for _ in range(4))


def check_account_rows(*, actor: User, rows: Rows) -> list[AccountRow]:
    """Read a CSV of accounts (username,nama,email,wilayah[,peran]) and check every line.

    `wilayah` holds one or more region codes separated by spaces or semicolons; every one
    must lie inside the actor's regions. Returns the rows with their errors; writes nothing.
    """
    missing = [c for c in OPERATOR_COLUMNS if c not in header_of(rows)]
    if missing:
        raise ImportRejected([LineError(1, _("kolom tidak ada: %s") % ", ".join(missing))])

    parsed: list[AccountRow] = []
    for number, raw in rows:
        codes = [c for c in raw.get("wilayah", "").replace(";", " ").split() if c]
        parsed.append(
            AccountRow(
                line=number,
                username=raw.get("username", ""),
                full_name=raw.get("nama", ""),
                email=raw.get("email", ""),
                role=raw.get("peran", "") or User.Role.OPERATOR,
                region_codes=codes,
            )
        )
    if not parsed:
        raise ImportRejected([LineError(1, _("berkas tidak berisi baris data"))])

    first_line: dict[str, int] = {}
    for row in parsed:
        first_line.setdefault(row.username.lower(), row.line)
    taken = set(
        name.lower() for name in User.objects.filter(username__in=[r.username for r in parsed]).values_list(
            "username", flat=True
        )
    )
    all_codes = {code for row in parsed for code in row.region_codes}
    known = set(Region.objects.filter(code__in=all_codes, is_current=True).values_list("code", flat=True))
    roles = access.assignable_roles(actor)
    for row in parsed:
        if not row.username:
            row.errors.append(_("username kosong"))
        elif not User.username_validator.regex.match(row.username) or len(row.username) > 150:
            row.errors.append(_("username hanya boleh huruf, angka dan . @ + - _"))
        elif row.username.lower() in taken:
            row.errors.append(_("username %s sudah dipakai") % row.username)
        elif first_line[row.username.lower()] != row.line:
            row.errors.append(
                _("username %(name)s sudah ada di baris %(line)d") % {"name": row.username, "line": first_line[row.username.lower()]}
            )
        if row.email:
            try:
                validate_email(row.email)
            except ValidationError:
                row.errors.append(_("alamat email tidak valid"))
        if row.role not in roles:
            row.errors.append(_("peran '%s' tidak boleh Anda berikan") % row.role)
        if not row.region_codes:
            row.errors.append(_("wilayah kosong: isi kode wilayah, misalnya 33.24.01"))
        for code in row.region_codes:
            if code not in known or not access.can_see_code(actor, code):
                # The same words for unknown codes and codes outside the actor's regions.
                row.errors.append(_("wilayah %s tidak dikenal atau di luar wilayah Anda") % code)
    return parsed


@transaction.atomic
def accounts_create(*, actor: User, rows: list[AccountRow]) -> list[CreatedAccount]:
    """Create checked accounts, each with a generated first password; all or none."""
    bad = [row for row in rows if row.errors]
    if bad:
        raise ImportRejected([LineError(row.line, "; ".join(row.errors)) for row in bad])
    regions = {r.code: r for r in Region.objects.filter(code__in={c for row in rows for c in row.region_codes})}
    created = []
    for row in rows:
        first, _sep, last = row.full_name.partition(" ")
        user = User(username=row.username, email=row.email, first_name=first, last_name=last, role=row.role)
        password = generate_password()
        validate_password(password, user)
        user.set_password(password)
        user._history_user = actor
        user.save()
        user.regions.set([regions[code] for code in row.region_codes])
        created.append(CreatedAccount(row.username, password))
    return created
