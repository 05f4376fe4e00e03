"""The upkeep of the gettext catalogue (README, "Translations"): what pybabel extracts from the
code and templates (babel.cfg) against app/translations/zh_Hans_CN/LC_MESSAGES/messages.po.
`flask i18n update` and `flask i18n check` (app/commands.py) run these; so does the test that
fails on a text without its Chinese (tests/test_i18n.py)."""
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po, write_po

from .i18n import TRANSLATIONS, ZH

ROOT = Path(__file__).parent.parent
MAPPING = ROOT / "babel.cfg"
POT = TRANSLATIONS / "messages.pot"
# Sorted by msgid, files without line numbers: an edit elsewhere in a file moves no entry (merges).
LAYOUT = {"width": 100, "sort_output": True, "include_lineno": False}
PO = TRANSLATIONS / "zh_Hans_CN" / "LC_MESSAGES" / "messages.po"  # zh-CN: Babel names it zh_Hans_CN


def extract() -> Catalog:
    """Every text the code and templates mark, as `pybabel extract -F babel.cfg .` finds them."""
    with MAPPING.open() as mapping:
        method_map, options_map = parse_mapping_cfg(mapping, str(MAPPING))
    template = Catalog(project="aftersales", msgid_bugs_address=None, copyright_holder=None, fuzzy=False)
    found = extract_from_dir(str(ROOT), method_map, options_map,
                             directory_filter=lambda path: Path(path).relative_to(ROOT).parts[0] == "app")
    for filename, lineno, message, comments, context in found:
        template.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return template


def read(path: Path = PO) -> Catalog:
    with path.open("rb") as po:
        return read_po(po, locale="zh_Hans_CN")


def problems(catalogue: Catalog | None = None, template: Catalog | None = None) -> list[str]:
    """What keeps the catalogue from matching the code: texts without a (non-fuzzy) Chinese,
    entries no text uses any more, and translations whose `%(name)s` variables differ."""
    catalogue = catalogue or read()
    template = template or extract()
    found = []
    for message in template:
        if not message.id:
            continue
        entry = catalogue.get(message.id, message.context)
        where = ", ".join(f"{f}:{n}" for f, n in message.locations[:2])
        if entry is None or not entry.string or entry.fuzzy:
            state = "fuzzy" if entry is not None and entry.fuzzy else "missing"
            found.append(f"{state}: {_name(message)} ({where})")
    for entry in catalogue:
        if entry.id and template.get(entry.id, entry.context) is None:
            found.append(f"obsolete: {_name(entry)}")
    for entry, errors in catalogue.check():
        if entry.string:  # an empty one is named missing above
            found.extend(f"bad translation: {_name(entry)}: {error}" for error in errors)
    found.extend(f"obsolete (commented out): {_name(entry)}" for entry in catalogue.obsolete.values())
    return found


def _name(message) -> str:
    return f"[{message.context}] {message.id!r}" if message.context else repr(message.id)


def update() -> list[str]:
    """Write messages.pot from the code, bring messages.po up to date with it (new texts in, unused
    ones out) and fill a new text's Chinese from the ZH dict of app/i18n.py where it has one.
    Returns the texts that still need their Chinese."""
    template = extract()
    with POT.open("wb") as pot:
        write_po(pot, template, **LAYOUT)
    catalogue = read()
    catalogue.update(template, no_fuzzy_matching=True)
    catalogue.obsolete.clear()
    for message in catalogue:
        if message.id and not message.string and not message.context and message.id in ZH:
            message.string = ZH[message.id]
    with PO.open("wb") as po:
        write_po(po, catalogue, **LAYOUT)
    return [p for p in problems(catalogue, template) if not p.startswith("obsolete")]
