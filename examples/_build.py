"""Build the bundled example exports (invented text, in the seed export's exact shape).

Run ``python examples/_build.py`` to regenerate ``examples/*.json``; the files are
committed so the quickstart needs no build step.  Each defective record says in
``DEFECTS`` which rule should fire, so tests can check the examples stay honest.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

HERE = Path(__file__).resolve().parent

PARAGRAPHS = [
    "The city council on Tuesday approved a plan to extend the riverside tram line by four stops, ending a debate that had run for almost two years.",
    "Mayor Lena Hartwell told reporters that the extension would connect the northern housing estates with the hospital and the technical college.",
    "\u201cThis is the most important transport decision of the decade,\u201d Hartwell said. \u201cPeople have waited long enough.\u201d",
    "Opposition councillors argued that the budget of 84 million euros was optimistic and asked for an independent review of the costs.",
    "Construction is expected to begin next spring and to last about 30 months, according to the transport department\u2019s timetable.",
]


def body_text(paragraphs: list[str]) -> str:
    return "\r\n\r\n".join(paragraphs)


def html_text(paragraphs: list[str]) -> str:
    def esc(p: str) -> str:
        return p.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;").replace("'", "&#39;")

    parts = [f'<p><span style="font-size:16px;">{esc(p)}</span></p>' for p in paragraphs]
    return "\r\n\r\n<p>&nbsp;</p>\r\n\r\n".join(parts)


def base_record(content_id: int = 510001, attach_id: int = 880001, token: int = 2718281828, month: str = "202605") -> dict:
    """A clean record: every field of the export, consistent dates and attachment paths."""
    folder = f"./cache/3/attach/{month}/{attach_id}_{token}"
    widths = [(150, 84), (300, 168), (400, 224), (600, 336), (900, 504)]
    sizes = {str(w): f"{folder}_{w}_{h}.webp" for w, h in widths}
    sizes["1200"] = f"{folder}_1000_560.jpg"
    year, mon = month[:4], month[4:]
    return {
        "content_id": content_id,
        "content_number": 0,
        "portal_id": 3,
        "lang_id": "en",
        "content_title": "Council approves riverside tram extension after two-year debate",
        "content_rtitr": "",
        "content_short_title": None,
        "content_summary": "The city council approved a four-stop extension of the riverside tram line, linking northern estates with the hospital and the college.",
        "content_summary_fill": 1,
        "content_body": body_text(PARAGRAPHS),
        "content_html": html_text(PARAGRAPHS),
        "content_source": "",
        "content_url": "",
        "content_date_start": f"{year}-{mon}-12 09:14:05",
        "content_date_event": f"{year}-{mon}-12 09:14:05",
        "content_date_event_start": None,
        "content_date_event_end": None,
        "content_show_title_slider": 1,
        "content_date_last_edit": f"{year}-{mon}-12 09:20:41",
        "content_date_register": f"{year}-{mon}-12 09:16:30",
        "content_columns": 0,
        "content_show_img": 1,
        "content_show_details": 0,
        "content_show_related_img": 0,
        "content_show_slider": 1,
        "content_comment": 1,
        "content_score": 0,
        "tag_id": 0,
        "score_average": None,
        "score_count": None,
        "score_date_last": None,
        "uid": 17,
        "eid": 0,
        "attach_title": "Council approves riverside tram extension after two-year debate",
        "attaches": [
            {
                "sizes": sizes,
                "ext": "jpg",
                "file_media": 1,
                "token": token,
                "files": {"original": {"url": f"./file/3/attach/{month}/{attach_id}_{token}.jpg", "width": 1000, "height": 560, "size": 61874}},
            }
        ],
    }


def dumps_export(pages: list[list[dict]]) -> str:
    """Compact one-line JSON with ``\\/`` escapes, exactly like the CMS writes it."""
    return json.dumps(pages, ensure_ascii=False, separators=(",", ":")).replace("/", "\\/")


def clean_records() -> list[dict]:
    first = base_record()
    second = base_record(510002, 880002, 3141592653, "202605")
    second["content_title"] = "Library opens late on Thursdays through the summer"
    second["attach_title"] = second["content_title"]
    second["content_summary"] = "The central library will stay open until 10 pm every Thursday from June to August."
    paras = [
        "The central library will stay open until 10 pm every Thursday from June to August, the culture office said.",
        "Q&A sessions with local authors are planned for the first evening; R&D staff from the university will run a workshop on archives.",
        "Entry is free. Children under 12 must be accompanied by an adult, and 5 < 6 is still true in the maths corner.",
    ]
    second["content_body"] = body_text(paras)
    second["content_html"] = html_text(paras)
    third = base_record(510003, 880003, 1618033988, "202605")
    third["lang_id"] = "fa"
    third["content_title"] = "\u06a9\u062a\u0627\u0628\u200c\u062e\u0627\u0646\u0647 \u0645\u0631\u06a9\u0632\u06cc \u062a\u0627 \u0633\u0627\u0639\u062a \u06f2\u06f2 \u0628\u0627\u0632 \u0627\u0633\u062a"
    third["attach_title"] = third["content_title"]
    third["content_summary"] = "\u0633\u0627\u0639\u0627\u062a \u06a9\u0627\u0631 \u06a9\u062a\u0627\u0628\u200c\u062e\u0627\u0646\u0647 \u062f\u0631 \u062a\u0627\u0628\u0633\u062a\u0627\u0646 \u0637\u0648\u0644\u0627\u0646\u06cc\u200c\u062a\u0631 \u0645\u06cc\u200c\u0634\u0648\u062f."
    paras_fa = [
        "\u06a9\u062a\u0627\u0628\u200c\u062e\u0627\u0646\u0647 \u0645\u0631\u06a9\u0632\u06cc \u0634\u0647\u0631 \u062f\u0631 \u062a\u0627\u0628\u0633\u062a\u0627\u0646 \u067e\u0646\u062c\u0634\u0646\u0628\u0647\u200c\u0647\u0627 \u062a\u0627 \u0633\u0627\u0639\u062a \u06f2\u06f2 \u0628\u0627\u0632 \u0627\u0633\u062a.",
        "\u0648\u0631\u0648\u062f \u0628\u0631\u0627\u06cc \u0647\u0645\u0647 \u0631\u0627\u06cc\u06af\u0627\u0646 \u0627\u0633\u062a \U0001F4DA",
    ]
    third["content_body"] = body_text(paras_fa)
    third["content_html"] = html_text(paras_fa)
    return [first, second, third]


def _story(content_id: int, n: int, title: str, paras: list[str]) -> dict:
    rec = base_record(content_id, 890000 + n, 1000000007 * (n + 1) % 4294967291, "202605")
    rec["content_title"] = rec["attach_title"] = title
    rec["content_summary"] = paras[0]
    rec["content_body"] = body_text(paras)
    rec["content_html"] = html_text(paras)
    return rec


# content_id -> the rules its defect must trigger (tests/test_examples.py holds the examples to it)
DEFECTS: dict[int, tuple[str, ...]] = {
    520001: ("FL201",),
    520002: ("FL204",),
    520003: ("FL302",),
    520004: ("FL401",),
    520005: ("FL502", "FL506"),
    520006: ("FL202",),
    520007: ("FL101",),
    520008: ("FL205",),
    520009: ("FL301",),
    520010: ("FL602",),
}


def newsroom_records() -> list[list[dict]]:
    """Two pages: clean stories mixed with one defect each, as a CMS export really rots."""
    harbour = [
        "The harbour authority said on Monday that the old grain quay will reopen to visitors in September.",
        "Engineers found that the quay's timber piles were sounder than feared, the authority's director said.",
        "“We expected to replace half of them,” she said. “In the end it was one in ten.”",
    ]
    clean_a = _story(520000, 0, "Old grain quay to reopen to visitors in September", harbour)

    # 520001: the body went through an HTML-escaping step, like many CMS exports.
    encoded = _story(520001, 1, "Bakery chain's founder hands over to daughter", [
        "The founder of the city's best-known bakery chain is stepping down after 41 years, the company said.",
        "“She has run the ovens since she was 16,” he said of his daughter.",
    ])
    encoded["content_body"] = encoded["content_body"].replace("'", "&#39;").replace("“", "&quot;").replace("”", "&quot;").replace("\r\n\r\n", "\r\n\r\n&nbsp;\r\n\r\n")

    mojibake = _story(520002, 2, "Council’s budget vote delayed to March", ["The council’s vote on next year’s budget has been delayed to March."])
    mojibake["content_title"] = "Councilâ€™s budget vote delayed to March"

    edited_early = _story(520003, 3, "Ferry timetable changes from Sunday", ["Ferries to the islands will leave 15 minutes earlier from Sunday."])
    edited_early["content_date_last_edit"] = "2026-05-11 18:02:00"

    diverged = _story(520004, 4, "Stadium roof repairs finished ahead of schedule", [
        "Repairs to the stadium roof were finished two weeks ahead of schedule, the city said.",
        "The work cost 3.2 million euros, below the budget of 4 million.",
    ])
    diverged["content_html"] = diverged["content_html"].replace("3.2 million", "5.9 million")

    bad_paths = _story(520005, 5, "New cycle lanes on the ring road", ["Two new cycle lanes open on the ring road next week."])
    sizes = bad_paths["attaches"][0]["sizes"]
    sizes["600"] = sizes["600"].replace(str(bad_paths["attaches"][0]["token"]), "1234567890")
    sizes["1200"] = sizes["1200"].replace("_1000_560.jpg", "_1200_672.jpg")

    double = _story(520006, 6, "Museum night draws record crowd", ["More than 30,000 people visited the museums on Saturday night."])
    double["content_html"] = double["content_html"].replace("30,000", "&amp;quot;30,000&amp;quot;")
    double["content_body"] = double["content_body"].replace("30,000", "\"30,000\"")

    bad_type = _story(520007, 7, "Water main repaired overnight", ["The burst water main on Elm Street was repaired overnight."])
    bad_type["portal_id"] = "3"

    markup = _story(520008, 8, "School meals to include more vegetables", ["School meals will include more vegetables from autumn."])
    markup["content_summary"] = "School meals will include <b>more vegetables</b> from autumn."

    impossible = _story(520009, 9, "Zoo welcomes twin otters", ["The zoo announced the birth of twin otters."])
    impossible["content_date_event"] = "2026-02-30 10:00:00"

    duplicate = _story(520010, 10, clean_a["content_title"], harbour)  # the same story exported twice under a new id

    clean_b = _story(520011, 11, "AT&T and R&D: Q&A with the tech fair organisers", [
        "Organisers of the tech fair answered questions about AT&T’s stand and the R&D pavilion.",
        "Tickets cost less than last year: 5 < 6 euros, as one organiser joked.",
    ])
    return [[clean_a, encoded, mojibake, edited_early, diverged, bad_paths], [double, bad_type, markup, impossible, duplicate, clean_b]]


def write(name: str, text: str) -> None:
    (HERE / name).write_text(text, encoding="utf-8", newline="")


if __name__ == "__main__":
    write("clean-export.json", dumps_export([clean_records()]))
    write("newsroom-export.json", dumps_export(newsroom_records()))
    (HERE.parent / "tests" / "fixtures" / "base_record.json").write_text(json.dumps(base_record(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
