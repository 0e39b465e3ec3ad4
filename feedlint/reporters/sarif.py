"""SARIF 2.1.0 for GitHub code scanning: one run, every selected rule, stable fingerprints.

What code scanning needs and why it is done this way:

* ``columnKind`` is ``utf16CodeUnits`` and every column, offset and length is
  counted in UTF-16 code units (an emoji before a value counts twice).
* uris are relative to the checkout root (``%SRCROOT%``), POSIX and
  percent-encoded; GitHub matches them against the repository's files.
* ``partialFingerprints`` come from :attr:`Finding.fingerprint` (rule,
  content_id, pointer in the record, evidence), never from line numbers: in a
  one-line export every finding is on line 1.
* GitHub keeps at most 5,000 results per run, so this reporter keeps the 5,000
  most severe in a bounded heap (memory does not grow with the number of
  findings) and says in a notification how many were dropped.
"""

from __future__ import annotations

import heapq
import json
from importlib import metadata
from typing import Any
from urllib.parse import quote

from ..docs import anchor
from ..model import Finding, Related
from ..severity import ORDER as SEVERITY_ORDER
from .base import Reporter, RunInfo, Summary, article_part, record_label, record_name
from .locations import SRCROOT, artifact_location, root_uri

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
FALLBACK_INFORMATION_URI = "https://pypi.org/project/feedlint/"
FINGERPRINT_KEY = "feedlint/v1"
MAX_RESULTS = 5000
MAX_TAGS = 10
MAX_DESCRIPTION = 1024  # GitHub's limit for shortDescription and fullDescription
MAX_FULL_DESCRIPTION = 400  # what a rule's fullDescription and help keep of its doc: the first paragraph, clipped
RULES_URL_LABELS = ("rules", "rules catalogue")  # a Project-URL naming the published docs/rules.md
LEVELS = {"error": "error", "warning": "warning", "note": "note"}
PRECISIONS = ("very-high", "high", "medium", "low")


def _project_urls() -> list[tuple[str, str]]:
    """``(label in lower case, url)`` of each Project-URL in the installed metadata (none when not installed)."""
    try:
        meta = metadata.metadata("feedlint")
    except metadata.PackageNotFoundError:
        return []
    pairs = [entry.partition(",")[::2] for entry in meta.get_all("Project-URL") or ()]
    return [(label.strip().lower(), url.strip()) for label, url in pairs if url.strip()]


def information_uri() -> str:
    """The project's home page from the installed metadata, else its PyPI page."""
    for label, url in _project_urls():
        if label in ("homepage", "home", "documentation", "source", "repository"):
            return url
    try:
        return metadata.metadata("feedlint").get("Home-page") or FALLBACK_INFORMATION_URI
    except metadata.PackageNotFoundError:
        return FALLBACK_INFORMATION_URI


def rules_uri() -> str | None:
    """Where the installed package says its rules catalogue is published (a ``Rules`` Project-URL), else None.

    A ``helpUri`` must resolve: without such a URL none is written, and the help
    points at ``feedlint explain`` instead.
    """
    return next((url for label, url in _project_urls() if label in RULES_URL_LABELS and url.startswith("https://")), None)


def _clip(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    return (cut.rsplit(" ", 1)[0] if " " in cut else cut).rstrip(" ,;:") + "…"


def _full_description(doc: str, summary: str) -> str:
    """The doc's first paragraph after the summary line, on one line and clipped: the rest is in ``feedlint explain``."""
    body = "\n".join(doc.splitlines()[1:]).strip()
    first = body.split("\n\n", 1)[0] if body else summary
    return _clip(" ".join(first.split()), MAX_FULL_DESCRIPTION)


def rule_descriptor(active: Any, catalogue_uri: str | None = None) -> dict:
    """A small ``reportingDescriptor`` for one selected rule: summary, first paragraph, where to read more."""
    rule = active.rule
    tags = list(dict.fromkeys([*rule.tags, "data-quality", f"feedlint/{rule.id[:-2]}xx"]))[:MAX_TAGS]
    props: dict[str, Any] = {"tags": tags, "precision": rule.precision if rule.precision in PRECISIONS else "high"}
    if rule.security_severity is not None:
        props["security-severity"] = f"{float(rule.security_severity):.1f}"
    full = _full_description(rule.doc, rule.summary)
    more = f"feedlint explain {rule.id}"
    descriptor = {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": _clip(rule.summary, MAX_DESCRIPTION)},
        "fullDescription": {"text": full},
        "help": {"text": f"{full}\n\nOptions and examples: {more}", "markdown": f"{full}\n\nOptions and examples: `{more}`"},
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": props,
    }
    if catalogue_uri:
        descriptor["helpUri"] = f"{catalogue_uri}#{anchor(rule)}"
    return descriptor


def _where(finding: Finding, run: RunInfo | None) -> str:
    if finding.kind == "article":
        part = article_part(finding.pointer)
        return f" [{part}]" if part else ""
    who = record_label(finding, run)
    return f" [{who} at {finding.pointer or '/'}]" if who else ""


def _region(finding: Finding) -> dict:
    r = finding.region
    return {
        "startLine": r.start_line,
        "startColumn": r.start_column16,
        "endLine": r.end_line,
        "endColumn": r.end_column16,
        "charOffset": r.offset16,
        "charLength": r.length16,
    }


def _related_location(n: int, r: Related, run: RunInfo) -> dict:
    """A SARIF ``relatedLocations`` entry: the place, its record and pointer in the message."""
    r_ = r.region
    who = record_name(run, r.path, r.content_id, r.record_index)
    return {
        "id": n,
        "physicalLocation": {
            "artifactLocation": artifact_location(r.path, run.root),
            "region": {"startLine": r_.start_line, "startColumn": r_.start_column16, "endLine": r_.end_line, "endColumn": r_.end_column16, "charOffset": r_.offset16, "charLength": r_.length16},
        },
        "message": {"text": f"also {who} at {r.pointer or '/'}"},
        "properties": {"contentId": r.content_id, "recordIndex": r.record_index, "recordPointer": r.record_pointer},
    }


def _logical_name(pointer: str) -> str:
    from ..pointer import last

    return last(pointer)


def _fix(f: Finding, root: str) -> dict | None:
    """The finding's proposed fix as a SARIF ``fix``: one replacement of the changed part of the value."""
    replacement = getattr(f.fix, "file_replacement", None)  # a located fix (feedlint.fixing.located)
    if replacement is None:
        return None
    try:
        region, text = replacement(f.region)
    except Exception:  # noqa: BLE001 - a fix that cannot be worded leaves the result without one
        return None
    return {
        "description": {"text": f.fix.description},
        "artifactChanges": [{"artifactLocation": artifact_location(f.path, root), "replacements": [{"deletedRegion": region, "insertedContent": {"text": text}}]}],
        "properties": {"applicability": f.fix.applicability},
    }


class SarifReporter(Reporter):
    """Buffers at most :data:`MAX_RESULTS` findings (the most severe), writes the log at ``finish``."""

    name = "sarif"
    max_results = MAX_RESULTS
    uses_fixes = True  # results carry the proposed fixes, for viewers that offer them

    def start(self, run: RunInfo) -> None:
        super().start(run)
        self.info_uri = information_uri()
        catalogue = rules_uri()
        self.rules = [rule_descriptor(a, catalogue) for a in run.rules]
        self.rule_index = {a.rule.id: i for i, a in enumerate(run.rules)}
        self._heap: list[tuple[int, int, Finding]] = []
        self._seq = 0
        self.dropped: dict[str, int] = {}

    def handle(self, finding: Finding) -> None:
        self._seq += 1
        item = (finding.rank, -self._seq, finding)
        if len(self._heap) < self.max_results:
            heapq.heappush(self._heap, item)
            return
        gone = heapq.heappushpop(self._heap, item)[2]  # least severe, latest first
        self.dropped[gone.severity] = self.dropped.get(gone.severity, 0) + 1

    # -- results ------------------------------------------------------------------
    def result(self, f: Finding, baseline: bool) -> dict:
        run = self.run
        assert run is not None
        out: dict[str, Any] = {
            "ruleId": f.rule_id,
            "level": LEVELS[f.severity],
            "message": {"text": f.message + _where(f, run)},
            "locations": [
                {
                    "physicalLocation": {"artifactLocation": artifact_location(f.path, run.root), "region": _region(f)},
                    "logicalLocations": [
                        {"name": _logical_name(f.pointer) or "/", "fullyQualifiedName": f.pointer or "/", "kind": "value" if f.pointer else "object"}
                    ],
                }
            ],
            "partialFingerprints": {FINGERPRINT_KEY: f.fingerprint, "primaryLocationLineHash": f.fingerprint},
            "properties": {"contentId": f.content_id, "recordIndex": f.record_index, "recordPointer": f.record_pointer},
        }
        if f.rule_id in self.rule_index:
            out["ruleIndex"] = self.rule_index[f.rule_id]
        if f.evidence is not None:
            out["properties"]["evidence"] = f.evidence
        if f.related:  # the other members of a group reported once (FL606), capped by the rule's related-max
            out["relatedLocations"] = [_related_location(i, r, run) for i, r in enumerate(f.related, 1)]
        if baseline:
            out["baselineState"] = "new"
        fix = _fix(f, run.root)
        if fix is not None:
            out["fixes"] = [fix]
        return out

    # -- notifications --------------------------------------------------------------
    def _execution_notifications(self, summary: Summary) -> list[dict]:
        run = self.run
        assert run is not None
        out: list[dict] = []
        for err in summary.errors:
            loc: dict[str, Any] = {"artifactLocation": artifact_location(err.path, run.root)}
            if err.line is not None:
                loc["region"] = {"startLine": err.line, "startColumn": err.column or 1}
            out.append({"level": "error", "message": {"text": str(err)}, "descriptor": {"id": "input-error"}, "locations": [{"physicalLocation": loc}]})
        for msg in summary.extra.get("setup_errors", ()):
            out.append({"level": "error", "message": {"text": msg}, "descriptor": {"id": "rule-setup-error"}})
        for msg in summary.internal_errors:
            out.append({"level": "error", "message": {"text": msg}, "descriptor": {"id": "rule-crashed"}})
        for skipped in summary.skipped:
            out.append({"level": "warning", "message": {"text": str(skipped)}, "descriptor": {"id": "input-skipped"},
                        "locations": [{"physicalLocation": {"artifactLocation": artifact_location(skipped.path, run.root)}}],
                        "properties": {"reason": skipped.reason}})
        if summary.no_records:
            out.append({"level": "error", "message": {"text": summary.no_records}, "descriptor": {"id": "no-records-checked"}})
        if self.dropped:
            total = sum(self.dropped.values())
            parts = ", ".join(f"{self.dropped[s]} {s}" for s in SEVERITY_ORDER if self.dropped.get(s))
            out.append({
                "level": "warning",
                "message": {"text": f"{total} of {self._seq} results dropped ({parts}): code scanning accepts at most {self.max_results} per run; the most severe are kept. Use --format json for all of them."},
                "descriptor": {"id": "results-truncated"},
                "properties": {"dropped": total, "dropped_by_level": dict(self.dropped), "total": self._seq},
            })
        config_notes = set(summary.extra.get("unused_suppressions", ())) | set(summary.extra.get("stale_notes", ()))
        for note in summary.notices:
            if note not in config_notes:
                out.append({"level": "note", "message": {"text": note}, "descriptor": {"id": "input-note"}})
        return out

    def _configuration_notifications(self, summary: Summary) -> list[dict]:
        out = [
            {"level": "note", "message": {"text": text}, "descriptor": {"id": "unused-suppression"}}
            for text in summary.extra.get("unused_suppressions", ())
        ]
        run = self.run
        assert run is not None
        for entry, text in zip(summary.extra.get("stale_entries", ()), summary.extra.get("stale_notes", ())):
            note: dict[str, Any] = {"level": "note", "message": {"text": text}, "descriptor": {"id": "stale-baseline-entry"}}
            if entry.get("file"):  # stored relative to the checkout root
                note["locations"] = [{
                    "physicalLocation": {"artifactLocation": {"uri": quote(entry["file"], safe="/"), "uriBaseId": SRCROOT}},
                    "logicalLocations": [{"fullyQualifiedName": entry.get("pointer") or "/", "kind": "value"}],
                }]
            note["properties"] = {"fingerprint": entry.get("fingerprint"), "rule": entry.get("rule")}
            out.append(note)
        return out

    def _overrides(self) -> list[dict]:
        run = self.run
        assert run is not None
        out = []
        for i, a in enumerate(run.rules):
            changed = {k: v for k, v in a.options.items() if a.rule.defaults.get(k) != v}
            if a.severity != a.rule.severity or changed:
                conf: dict[str, Any] = {"level": LEVELS[a.severity]}
                if changed:
                    conf["parameters"] = json.loads(json.dumps(changed, default=str))
                out.append({"descriptor": {"id": a.rule.id, "index": i}, "configuration": conf})
        return out

    def finish(self, summary: Summary) -> None:
        run = self.run
        assert run is not None
        baseline = bool(summary.extra.get("baseline"))
        kept = sorted(self._heap, key=lambda item: -item[1])  # back to file/record order
        invocation: dict[str, Any] = {"executionSuccessful": summary.exit_code != 2, "exitCode": summary.exit_code}
        execution = self._execution_notifications(summary)
        configuration = self._configuration_notifications(summary)
        overrides = self._overrides()
        if execution:
            invocation["toolExecutionNotifications"] = execution
        if configuration:
            invocation["toolConfigurationNotifications"] = configuration
        if overrides:
            invocation["ruleConfigurationOverrides"] = overrides
        properties: dict[str, Any] = {"files": summary.files, "records": summary.records, "findings": self._seq}
        if summary.skipped:
            properties["skipped"] = len(summary.skipped)
        if summary.unreadable:
            properties["unreadable"] = summary.unreadable
        if summary.extra.get("suppressed"):
            properties["suppressed"] = summary.extra["suppressed"]
        if baseline:
            properties["baseline"] = summary.extra["baseline"]
        if summary.profiles:
            properties["profiles"] = dict(summary.profiles)  # each file checked -> the profile it was read with
        log = {
            "$schema": SCHEMA_URI,
            "version": "2.1.0",
            "runs": [
                {
                    "tool": {
                        "driver": {
                            "name": "feedlint",
                            "semanticVersion": run.version,
                            "version": run.version,
                            "informationUri": self.info_uri,
                            "rules": self.rules,
                        }
                    },
                    "originalUriBaseIds": {SRCROOT: {"uri": root_uri(run.root)}},
                    "columnKind": "utf16CodeUnits",
                    "invocations": [invocation],
                    "results": [self.result(f, baseline) for _, _, f in kept],
                    "properties": properties,
                }
            ],
        }
        self.stream.write(json.dumps(log, ensure_ascii=False, separators=(",", ":"), default=str) + "\n")  # dumps: the C encoder (dump to a stream is pure Python, 5x slower)
