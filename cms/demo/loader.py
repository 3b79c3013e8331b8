"""Read the demo content from the YAML files beside this module, and check it.

`read()` gives it back in the shapes `load_demo` writes: Target fields, the cases with their
targets, follow-ups, pages and sample letters, and the site's own pages. A file that does
not fit raises DemoDataError naming the file and the key, before anything is written.
README.md, beside this module, describes the files.
"""

import datetime
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, TypedDict

from django.conf import settings

from campaigns.models import LANGUAGE_CHOICES, ActionTarget, Category, UrgentAction

from .checks import At, choice, country, date, days, items, mapping, shown, text

DIRECTORY = Path(__file__).resolve().parent
# load_demo publishes every page in English and gives it a Spanish translation.
PAGE_LANGUAGES = ("en", "es")
# So that a demo letter can never reach a person.
FICTIONAL_DOMAIN = "@example.org"


@dataclass(frozen=True)
class Demo:
    targets: list[dict]  # Target fields: the officials, then the embassies
    cases: list[dict]  # by year, then sequence: 58/20 comes before 114/26
    home: dict
    action_index: dict
    privacy: dict


def read(*, today: datetime.date, directory: Path | None = None) -> Demo:
    """The demo content, the open cases dated from ``today``. Raises DemoDataError."""
    directory = directory or DIRECTORY
    officials = read_targets(At(directory / "targets.yaml"))
    embassies = read_embassies(At(directory / "embassies.yaml"))
    paths = sorted((directory / "cases").glob("*.yaml"))
    if not paths:
        raise At(directory / "cases").error("no case files (*.yaml)")
    cases = [read_case(At(path), today=today, targets=officials) for path in paths]
    cases.sort(key=lambda case: [int(part) for part in reversed(case["number"].split("/"))])
    pages = At(directory / "pages.yaml")
    data = mapping(pages.load(), pages, required=("home", "action_index", "privacy"))
    return Demo(
        targets=[*officials.values(), *embassies],
        cases=cases,
        home=read_page(
            data["home"], pages / "home", required=("title",), optional=("intro", "body")
        ),
        action_index=read_page(
            data["action_index"], pages / "action_index", required=("title",), optional=("intro",)
        ),
        privacy=read_page(data["privacy"], pages / "privacy", required=("title", "body")),
    )


# Targets

OFFICIAL_KEYS = ("name", "organisation", "country", "language", "salutation", "email")
EMBASSY_KEYS = ("accredited_to_country", "language", "name", "salutation", "email")
TARGET_OPTIONAL = ("title", "postal_address")
LANGUAGES = dict(LANGUAGE_CHOICES)  # what an official may read, not only the site's


def read_targets(at: At) -> dict[str, dict]:
    """The officials, by the key cases name them with."""
    data = at.load()
    if not isinstance(data, dict) or not data:
        raise at.error(f"expected officials by key, such as yucatan-governor:; got {shown(data)}")
    targets = {
        key: read_target(value, at / key, required=OFFICIAL_KEYS) for key, value in data.items()
    }
    # load_demo finds a target again by its name and organisation.
    seen: dict[tuple[str, str], str] = {}
    for key, target in targets.items():
        pair = (target["name"], target["organisation"])
        if pair in seen:
            raise (at / key).error(f"the same name and organisation as {seen[pair]!r}")
        seen[pair] = key
    return targets


def read_embassies(at: At) -> list[dict]:
    data = mapping(at.load(), at, required=("organisation", "represents_country", "embassies"))
    shared = {
        "kind": "embassy",
        "organisation": text(data["organisation"], at / "organisation"),
        "represents_country": country(data["represents_country"], at / "represents_country"),
    }
    embassies = []
    for index, value in enumerate(items(data["embassies"], at / "embassies")):
        fields = read_target(value, at / "embassies" / index, required=EMBASSY_KEYS)
        embassies.append({**shared, **fields, "country": fields["accredited_to_country"]})
    return embassies


def read_target(value: Any, at: At, *, required: tuple) -> dict:
    fields = dict(mapping(value, at, required=required, optional=TARGET_OPTIONAL))
    for key, field in fields.items():
        text(field, at / key)
    for key in ("country", "accredited_to_country"):
        if key in fields:
            country(fields[key], at / key)
    choice(fields["language"], at / "language", LANGUAGES)
    if not fields["email"].endswith(FICTIONAL_DOMAIN):
        raise (at / "email").error(
            f"demo contacts are fictional: use an address {FICTIONAL_DOMAIN}"
        )
    return fields


# Cases

CASE_KEYS = ("number", "title", "category", "country", "targets", "page")
CASE_OPTIONAL = (
    *("summary", "issued_on", "issued_days_ago", "deadline", "deadline_in_days"),
    *("writes_to_embassy", "outcome", "follow_ups", "letters"),
)


def read_case(at: At, *, today: datetime.date, targets: dict[str, dict]) -> dict:
    data = mapping(at.load(), at, required=CASE_KEYS, optional=CASE_OPTIONAL)
    number = text(data["number"], at / "number")
    if not re.fullmatch(r"[1-9]\d{0,3}/\d{2}", number):
        raise (at / "number").error(f"{number!r} is not a UA number such as 58/20")
    if at.file.name != (expected := number.replace("/", "-") + ".yaml"):
        raise at.error(f"UA {number} belongs in a file called {expected}")
    case = {
        "number": number,
        "title": text(data["title"], at / "title"),
        "summary": text(data["summary"], at / "summary") if "summary" in data else "",
        "category": choice(data["category"], at / "category", Category.values),
        "country": country(data["country"], at / "country"),
        "issued_on": day(data, at, "issued_on", days_ago="issued_days_ago", today=today),
        "deadline": day(data, at, "deadline", days_ahead="deadline_in_days", today=today),
        "writes_to_embassy": data.get("writes_to_embassy", False),
        "targets": [
            read_case_target(value, at / "targets" / index, targets=targets)
            for index, value in enumerate(items(data["targets"], at / "targets"))
        ],
        "follow_ups": [],
    }
    if not isinstance(case["writes_to_embassy"], bool):
        raise (at / "writes_to_embassy").error("expected true or false")
    if case["deadline"] < case["issued_on"]:
        raise (at / "deadline").error("the deadline comes before the issue date")
    if "follow_ups" in data:
        case["follow_ups"] = [
            read_follow_up(value, at / "follow_ups" / index)
            for index, value in enumerate(items(data["follow_ups"], at / "follow_ups"))
        ]
    if "outcome" in data:
        outcome = mapping(data["outcome"], at / "outcome", required=("kind", "closed_on", "text"))
        kinds = [kind for kind in UrgentAction.OutcomeKind.values if kind]
        case["outcome_kind"] = choice(outcome["kind"], at / "outcome" / "kind", kinds)
        case["closed_on"] = date(outcome["closed_on"], at / "outcome" / "closed_on")
        case["outcome"] = text(outcome["text"], at / "outcome" / "text")
    case["page"] = read_action_page(data["page"], at / "page")
    letters = data.get("letters", {})
    if not isinstance(letters, dict):
        raise (at / "letters").error(
            f"expected letters by language (es:, en:); got {shown(letters)}"
        )
    case["letters"] = {
        choice(language, at / "letters", LANGUAGES): read_letter(value, at / "letters" / language)
        for language, value in letters.items()
    }
    return case


def day(
    data: dict, at: At, key: str, *, today: datetime.date, days_ago: str = "", days_ahead: str = ""
) -> datetime.date:
    """A date as written, or one counted from today, so that an open case is open on any day."""
    relative = days_ago or days_ahead
    if (key in data) == (relative in data):
        raise at.error(f"give either {key!r} (a date) or {relative!r} (a number of days)")
    if key in data:
        return date(data[key], at / key)
    offset = days(data[relative], at / relative)
    return today - offset if days_ago else today + offset


def read_case_target(value: Any, at: At, *, targets: dict[str, dict]) -> tuple[str, str, str]:
    """(name, organisation, tier) of a target named by its key in targets.yaml."""
    link = mapping(value, at, required=("target", "tier"))
    key = text(link["target"], at / "target")
    if key not in targets:
        raise (at / "target").error(f"no target {key!r} in targets.yaml ({', '.join(targets)})")
    tier = choice(link["tier"], at / "tier", ActionTarget.Tier.values)
    return (targets[key]["name"], targets[key]["organisation"], tier)


def read_follow_up(value: Any, at: At) -> dict:
    site_languages = tuple(code for code, _name in settings.LANGUAGES)
    data = mapping(value, at, required=("issued_on",), optional=site_languages)
    if len(data) == 1:
        raise at.error(f"no text: give it one in {' or '.join(site_languages)}")
    texts = {}
    for language in (key for key in data if key != "issued_on"):
        entry = mapping(data[language], at / language, required=("title", "body"))
        texts[language] = (
            text(entry["title"], at / language / "title"),
            text(entry["body"], at / language / "body"),
        )
    return {"issued_on": date(data["issued_on"], at / "issued_on"), "texts": texts}


def read_action_page(value: Any, at: At) -> dict:
    page = dict(mapping(value, at, required=("slug", "hero", *PAGE_LANGUAGES)))
    hero = colours(page.pop("hero"), at / "hero")
    fields = read_page(
        page,
        at,
        required=("title", "summary"),
        optional=("hero_caption", "body", "outcome_summary"),
    )
    return {**fields, "hero": hero}


def read_letter(value: Any, at: At) -> dict:
    """A sample letter: its body's paragraphs are joined with blank lines."""
    data = mapping(value, at, required=("subject", "body"))
    paragraphs = items(data["body"], at / "body")
    return {
        "subject": text(data["subject"], at / "subject"),
        "body": "\n\n".join(text(p, at / "body" / index) for index, p in enumerate(paragraphs)),
    }


def colours(value: Any, at: At) -> tuple[tuple[int, int, int], tuple[int, int, int]]:
    """The banner's gradient: two RGB colours, from and to."""
    if not (
        isinstance(value, list)
        and len(value) == 2
        and all(isinstance(colour, list) and len(colour) == 3 for colour in value)
        and all(type(c) is int and 0 <= c <= 255 for colour in value for c in colour)
    ):
        raise at.error(
            f"expected two colours such as [[122, 36, 68], [238, 150, 75]]; got {shown(value)}"
        )
    start, end = value
    return (tuple(start), tuple(end))


# Pages


def paragraph(value: Any, at: At) -> str:
    # The text is HTML already: it may hold inline tags, so it is not escaped.
    return f"<p>{text(value, at)}</p>"


class Quote(TypedDict):
    text: str
    attribution: str


class Block(TypedDict):
    type: Literal["heading", "paragraph", "quote"]
    value: str | Quote


def stream(value: Any, at: At) -> list[Block]:
    """StreamField data (cms.blocks.BaseStreamBlock) from a list of one-key items:
    `heading: text`, `paragraph: text`, or `quote:` with `text` and `attribution`."""
    blocks: list[Block] = []
    for index, item in enumerate(items(value, at)):
        item_at = at / index
        if not isinstance(item, dict) or len(item) != 1:
            raise item_at.error(f"expected one of heading:, paragraph:, quote:; got {shown(item)}")
        ((kind, content),) = item.items()
        if kind == "heading":
            blocks.append({"type": "heading", "value": text(content, item_at / kind)})
        elif kind == "paragraph":
            blocks.append({"type": "paragraph", "value": paragraph(content, item_at / kind)})
        elif kind == "quote":
            quote = mapping(content, item_at / kind, required=("text",), optional=("attribution",))
            words = Quote(text=text(quote["text"], item_at / kind / "text"), attribution="")
            if "attribution" in quote:
                words["attribution"] = text(quote["attribution"], item_at / kind / "attribution")
            blocks.append({"type": "quote", "value": words})
        else:
            raise (item_at / kind).error("unknown block: expected heading, paragraph or quote")
    return blocks


# How read_page turns a language's fields into page fields; any other field is plain text.
PAGE_FIELDS = {"body": stream, "intro": paragraph}


def read_page(
    value: Any, at: At, *, required: tuple[str, ...], optional: tuple[str, ...] = ()
) -> dict[str, Any]:
    """A page's slug and, per language, its fields: `body` as StreamField data, `intro` as
    rich text, the rest as text."""
    data = mapping(value, at, required=("slug", *PAGE_LANGUAGES))
    slug = text(data["slug"], at / "slug")
    if not re.fullmatch(r"[-\w]+", slug):
        raise (at / "slug").error(f"{slug!r} is not a slug: letters, digits and hyphens only")
    page: dict[str, Any] = {"slug": slug}
    for language in PAGE_LANGUAGES:
        fields = mapping(data[language], at / language, required=required, optional=optional)
        page[language] = {
            name: PAGE_FIELDS.get(name, text)(field, at / language / name)
            for name, field in fields.items()
        }
    return page
