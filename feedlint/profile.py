"""Profiles: how one CMS lays out its export, declared as data (``feedlint/profiles/*.toml``).

A profile says how a file is recognised, where its records are (top-level
layouts or JSON Pointer patterns inside a document), which field is the
record's identity, the field roles, a JSON Schema, attachment locations and
rule options.  Rules never see a profile: they see the roles and options it
resolves to (see ``docs/profiles.md``).
"""

from __future__ import annotations

import fnmatch
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping

from .fields import DEFAULT_ROLES, ID_SCOPES, ROLES, FieldRoles, expand, id_name
from .suggest import unknown as unknown_name

BUILTIN_ORDER = ("cms", "wordpress", "ghost", "jsonfeed")
LAYOUTS = ("pages", "array", "json-lines")
ATTACHMENT_KEYS = ("items", "renditions", "rendition-url", "rendition-width", "rendition-height", "original-url", "original-width", "original-height", "original-size")
ATTACHMENT_NAMES = ("original-rendition",)  # a size key, not a pointer: the rendition that is the original itself (WordPress "full")
# not run on a profile with its own [fields]: FL602-FL606 compare the CMS export's own fields
# (content_title, lang_id, attaches…); FL101-FL103 check the CMS export's schema unless the profile names one
CMS_DATASET_RULES = ("FL602", "FL603", "FL604", "FL605", "FL606")
CMS_SCHEMA_RULES = ("FL101", "FL102", "FL103")
_TOP_KEYS = {"name", "description", "schema", "ignore", "records", "detect", "fields", "options", "rules", "attachments"}
_RECORDS_KEYS = ("layouts", "pointers", "id", "id-scope", "site-urls")


def _attachment_value_ok(key: str, value: Any) -> bool:
    """An ``[attachments]`` entry: a known key with a JSON Pointer ("" for the value itself), a size key for ``original-rendition``,
    or for an ``original-*`` key a list of pointers (a field renamed between versions: Ghost 0.x ``/image``, later ``/feature_image``)."""
    if key in ATTACHMENT_NAMES:
        return isinstance(value, str)
    if key not in ATTACHMENT_KEYS:
        return False
    if isinstance(value, list) and key.startswith("original-"):
        return bool(value) and all(isinstance(p, str) and p.startswith("/") for p in value)
    return isinstance(value, str) and (not value or value.startswith("/"))


class ProfileError(ValueError):
    """A profile file that cannot be used; the message names the file."""


@dataclass(frozen=True)
class Detect:
    """One way a file is recognised: pointers its first record has, and values its document holds before the records."""

    all: tuple[str, ...] = ()
    any: tuple[str, ...] = ()
    document: Mapping[str, str] = field(default_factory=dict)

    def fits_record(self, data: Any) -> bool:
        if not isinstance(data, dict):
            return False
        has = lambda p: next(expand(data, p), None) is not None  # noqa: E731
        return all(has(p) for p in self.all) and (not self.any or any(has(p) for p in self.any))

    def fits_document(self, seen: Mapping[str, Any]) -> bool:
        return all(isinstance(seen.get(p), str) and fnmatch.fnmatchcase(seen[p], glob) for p, glob in self.document.items())

    def describe(self) -> str:
        said = [f"has all of {', '.join(self.all)}"] if self.all else []
        said += [f"has one of {', '.join(self.any)}"] if self.any else []
        said += [f"{p} matches {g!r}" for p, g in self.document.items()]
        return "; ".join(said) or "always (no condition)"


@dataclass(frozen=True)
class Profile:
    """One CMS's export layout, resolved from its file (read-only)."""

    name: str
    description: str = ""
    origin: str = "built-in"  # the file it was read from, for explain-profile
    layouts: tuple[str, ...] = ()
    pointers: tuple[str, ...] = ()
    id: str = "/content_id"
    id_scope: str = "portal"  # where ``id`` is unique (FL601): per portal_id (the CMS export), per file, or per site
    site_urls: tuple[str, ...] = ()  # id_scope "site": the record's web addresses, the first present names its site
    detect: tuple[Detect, ...] = (Detect(),)  # alternatives: the file is this profile's when one of them fits
    roles: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    schema: str = ""  # absolute path, or "" for the rules' default
    ignore: tuple[str, ...] = ()
    options: Mapping[str, Any] = field(default_factory=dict)
    rule_options: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    attachments: Mapping[str, Any] = field(default_factory=dict)  # key -> pointer (an original-* key: perhaps a list of them)
    inapplicable: tuple[str, ...] = ()  # within ``ignore``: the checks of the CMS export's own fields, off even when selected

    def fits_record(self, data: Any) -> bool:
        """Whether a first record has every ``detect.all`` pointer and one of ``detect.any`` (of some alternative)."""
        return any(d.fits_record(data) for d in self.detect)

    def fits(self, seen: Mapping[str, Any], first: Any) -> bool:
        """Whether one ``detect`` alternative fits: its document values (globs) and its first-record pointers."""
        return any(d.fits_document(seen) and d.fits_record(first) for d in self.detect)

    def field_roles(self, overrides: Mapping[str, Mapping[str, list[str]]] | None = None) -> FieldRoles:
        """The roles rules see for this profile's records (config ``[fields.cms]`` applies to ``cms`` only)."""
        patterns = {kind: dict(roles) for kind, roles in DEFAULT_ROLES.items()}
        if self.roles:  # without [fields], the CMS export's roles (the cms profile declares none)
            patterns["cms"] = {role: tuple(self.roles.get(role, ())) for role in ROLES}
        roles = FieldRoles(patterns, id=self.id, profile=self.name, attachments=self.attachments, id_scope=self.id_scope, site_urls=self.site_urls)
        return roles.overlaid(overrides) if overrides else roles

    def describe(self, rules: Iterable[Any] = ()) -> str:
        """A human-readable account of the profile (``feedlint explain-profile``).

        ``rules``: the catalogue's, to tell which of the profile's ``[rules.X]``
        options belong to a rule it does not run (shown apart, not as settings
        in force).
        """
        lines = [f"{self.name}: {self.description}", f"  from: {self.origin}"]
        if self.layouts:
            lines.append(f"  records: top-level {', '.join(self.layouts)}")
        for p in self.pointers:
            lines.append(f"  records: under {p}")
        lines.append(f"  identity: {self.id} (records named \"{id_name(self.id)} ...\"; the content_id of JSON reports, contentId in SARIF)")
        if self.id_scope != "portal":
            per = f"site (the host of {', '.join(self.site_urls)}; else the file)" if self.id_scope == "site" else "file"
            lines.append(f"  identity unique per: {per}")
        lines.append("  detected when: " + "\n             or: ".join(d.describe() for d in self.detect))
        roles = self.field_roles()
        for role in ROLES:
            if roles.for_kind("cms", role):
                lines.append(f"  {role}: {', '.join(roles.for_kind('cms', role))}")
        lines.append(f"  schema: {self.schema or 'the bundled CMS export schema'}")
        if self.ignore:
            lines.append(f"  rules not run: {', '.join(self.ignore)}")
            chosen = [s for s in self.ignore if s not in self.inapplicable]
            if chosen:
                rest = "; the rest check the CMS export's own fields and stay off" if self.inapplicable else ""
                lines.append(f"    ({', '.join(chosen)}: the profile's default, which selecting one by id or name overrides, e.g. --select {chosen[0]}{rest})")
        for key, value in self.options.items():
            lines.append(f"  option {key} = {json.dumps(value)}")
        not_run = self.not_run(rules)
        for rule, opts in self.rule_options.items():
            if rule.upper() not in not_run:
                lines += [f"  {rule} {key} = {json.dumps(value)}" for key, value in opts.items()]
        kept = [(rule, opts) for rule, opts in self.rule_options.items() if rule.upper() in not_run]
        if kept:
            lines.append("  options of rules not run (used when one is selected by id):")
            lines += [f"    {rule} {key} = {json.dumps(value)}" for rule, opts in kept for key, value in opts.items()]
        for key, value in self.attachments.items():
            shown = ", else ".join(value) if isinstance(value, list) else value or ("(the record itself)" if key == "items" else "(the value itself)")
            lines.append(f"  attachments {key}: {shown}")
        return "\n".join(lines)


    def not_run(self, rules: Iterable[Any]) -> set[str]:
        """Ids and names (upper case) of the ``rules`` this profile's ``ignore`` turns off."""
        from .selection import matches_any

        return {n.upper() for r in rules if matches_any(r, self.ignore) for n in (r.id, r.name)}


def _strings(value: Any, where: str, pointers: bool = False) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ProfileError(f"{where} must be a list of strings")
    if pointers and not all(v == "" or v.startswith("/") for v in value):
        raise ProfileError(f"{where} must be JSON Pointers like '/title'")
    return tuple(value)


def _table(data: Mapping[str, Any], key: str, where: str) -> dict[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise ProfileError(f"{where}: {key} must be a table")
    return value


def profile_from_data(data: Mapping[str, Any], origin: str, base: Path | None = None) -> Profile:
    """A :class:`Profile` from a parsed TOML/JSON table; ``base`` resolves a relative schema path."""
    unknown = set(data) - _TOP_KEYS
    if unknown:
        raise ProfileError(f"{origin}: {unknown_name('profile key', sorted(unknown)[0], _TOP_KEYS)}")
    name = data.get("name")
    if not isinstance(name, str) or not name:
        raise ProfileError(f"{origin}: a profile needs a name")
    records, fields = _table(data, "records", origin), _table(data, "fields", origin)
    unknown = set(records) - set(_RECORDS_KEYS)
    if unknown:  # a misspelt key (id_scope) would otherwise fall back to its default without a word
        raise ProfileError(f"{origin}: records: {unknown_name('key', sorted(unknown)[0], _RECORDS_KEYS, sort=False)}")
    layouts = _strings(records.get("layouts", []), f"{origin}: records.layouts")
    if any(layout not in LAYOUTS for layout in layouts):
        raise ProfileError(f"{origin}: records.layouts must be within {', '.join(LAYOUTS)}")
    pointers = _strings(records.get("pointers", []), f"{origin}: records.pointers", pointers=True)
    if not layouts and not pointers:
        raise ProfileError(f"{origin}: records needs layouts or pointers (where the records are)")
    record_id = records.get("id", "/content_id")
    if not isinstance(record_id, str) or not record_id.startswith("/"):
        raise ProfileError(f"{origin}: records.id must be a JSON Pointer like '/id'")
    id_scope, site_urls = _id_scope(records, bool(fields), origin)
    roles = {}
    for role, pats in fields.items():
        if role not in ROLES:
            raise ProfileError(f"{origin}: fields: {unknown_name('role', role, ROLES, sort=False)}")
        roles[role] = _strings(pats, f"{origin}: fields.{role}", pointers=True)
    schema = data.get("schema", "")
    if not isinstance(schema, str):
        raise ProfileError(f"{origin}: schema must be a file name")
    if schema:
        schema = str(Path(schema) if Path(schema).is_absolute() else (base or Path.cwd()) / schema)
    ignore = _strings(data.get("ignore", []), f"{origin}: ignore")
    inapplicable = (CMS_DATASET_RULES + (() if schema else CMS_SCHEMA_RULES)) if roles else ()  # the profile names its own fields: the CMS export's own checks do not fit its records
    ignore += inapplicable
    rule_options = _table(data, "rules", origin)
    if not all(isinstance(v, dict) for v in rule_options.values()):
        raise ProfileError(f"{origin}: rules.<id> must be tables of options")
    attachments = _table(data, "attachments", origin)
    bad = [k for k, v in attachments.items() if not _attachment_value_ok(k, v)]
    if bad:
        raise ProfileError(f"{origin}: attachments.{bad[0]}: unknown key or not a JSON Pointer (known: {', '.join(ATTACHMENT_KEYS + ATTACHMENT_NAMES)}; an original-* key may list pointers, the first present is read)")
    return Profile(
        name=name,
        description=str(data.get("description", "")),
        origin=origin,
        layouts=layouts,
        pointers=pointers,
        id=record_id,
        id_scope=id_scope,
        site_urls=site_urls,
        detect=_detect(data.get("detect", {}), origin),
        roles=roles,
        schema=schema,
        ignore=tuple(dict.fromkeys(ignore)),
        options=_table(data, "options", origin),
        rule_options=rule_options,
        attachments=dict(attachments),
        inapplicable=inapplicable,
    )


def _id_scope(records: Mapping[str, Any], own_fields: bool, origin: str) -> tuple[str, tuple[str, ...]]:
    """``records.id-scope`` and ``records.site-urls``: where the identity must be unique (FL601).

    The default follows the fields: a profile that keeps the CMS export's
    fields keeps its ``portal_id`` scope; one with its own ``[fields]`` has no
    portal, and each file is one site unless the profile says how to tell a
    record's site (``"site"``, by the host of ``site-urls``).
    """
    scope = records.get("id-scope", "file" if own_fields else "portal")
    if scope not in ID_SCOPES:
        raise ProfileError(f"{origin}: records.id-scope must be one of {', '.join(ID_SCOPES)}")
    site_urls = _strings(records.get("site-urls", []), f"{origin}: records.site-urls", pointers=True)
    if (scope == "site") != bool(site_urls):
        raise ProfileError(f"{origin}: records.site-urls " + ("is needed by id-scope = \"site\" (the pointers of the record's web addresses)" if scope == "site" else "is only read with id-scope = \"site\""))
    return scope, site_urls


def _detect(value: Any, origin: str) -> tuple[Detect, ...]:
    """``detect``: one table, or a list of tables (``[[detect]]``) of which one must fit."""
    tables = value if isinstance(value, list) and value else [value]
    found = []
    for table in tables:
        if not isinstance(table, dict):
            raise ProfileError(f"{origin}: detect must be a table or a list of tables")
        unknown = set(table) - {"all", "any", "document"}
        if unknown:
            raise ProfileError(f"{origin}: detect: {unknown_name('key', sorted(unknown)[0], ('all', 'any', 'document'))}")
        document = _table(table, "document", origin)
        if not all(isinstance(v, str) for v in document.values()):
            raise ProfileError(f"{origin}: detect.document values must be strings (globs)")
        found.append(Detect(
            all=_strings(table.get("all", []), f"{origin}: detect.all", pointers=True),
            any=_strings(table.get("any", []), f"{origin}: detect.any", pointers=True),
            document=dict(document),
        ))
    return tuple(found)


def read_profile(path: str | Path, origin: str | None = None) -> Profile:
    """Read a profile file (``.toml`` or ``.json``)."""
    p = Path(path)
    where = origin or str(p)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise ProfileError(f"{where}: cannot read profile: {exc.strerror or exc}") from None
    try:
        if p.suffix == ".json":
            data = json.loads(raw)
        else:
            from .config import tomllib

            data = tomllib.loads(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise ProfileError(f"{where}: invalid profile file: {exc}") from None
    if not isinstance(data, dict):
        raise ProfileError(f"{where}: a profile must be a table/object")
    base = p.parent if origin is None else _schemas_dir()
    return profile_from_data(data, where, base)


def _schemas_dir() -> Path:
    from .schemas import bundled

    return Path(bundled()).parent


def builtin_profiles() -> list[Profile]:
    """The profiles shipped with feedlint, in detection order."""
    here = Path(__file__).parent / "profiles"
    return [read_profile(here / f"{name}.toml", origin=f"built-in ({name}.toml)") for name in BUILTIN_ORDER]


@dataclass(frozen=True)
class ProfileSet:
    """The profiles of a run in detection order (the config's first), and the one forced, if any."""

    profiles: tuple[Profile, ...]
    forced: str | None = None

    @classmethod
    def load(cls, user_files: Iterable[str] = (), forced: str | None = None) -> "ProfileSet":
        users = [read_profile(f) for f in user_files]
        names = [p.name for p in users]
        dupes = {n for n in names if names.count(n) > 1}
        if dupes:
            raise ProfileError(f"two profiles are named {sorted(dupes)[0]!r}")
        builtin = [p for p in builtin_profiles() if p.name not in names]  # a user's profile may replace a built-in
        found = cls(tuple(users + builtin), forced)
        if forced is not None and found.get(forced) is None:
            raise ProfileError(unknown_name("profile", forced, found.names, sort=False))
        return found

    @property
    def names(self) -> list[str]:
        return [p.name for p in self.profiles]

    def get(self, name: str) -> Profile | None:
        return next((p for p in self.profiles if p.name == name), None)

    @property
    def candidates(self) -> tuple[Profile, ...]:
        """The profiles a file may be read with: the forced one, or all."""
        return (self.get(self.forced),) if self.forced else self.profiles  # type: ignore[return-value]

    @property
    def pointers(self) -> tuple[str, ...]:
        """Every record pattern the reader should follow into a top-level object."""
        return tuple(dict.fromkeys(p for prof in self.candidates for p in prof.pointers))

    def detect(self, layout: str, matched: str | None, seen: Mapping[str, Any], first: Any) -> Profile | None:
        """The profile of a file from how its records were found and its first record; None when none fits.

        A forced profile is trusted when its records are where it says.
        """
        for prof in self.candidates:
            placed = matched in prof.pointers if matched is not None else layout in prof.layouts
            if not placed:
                continue
            if self.forced or prof.fits(seen, first):
                return prof
        return None
