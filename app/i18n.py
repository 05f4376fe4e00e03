"""The language of a request (zh-CN by default, English on request) and its texts, through
Flask-Babel's gettext catalogues: English is the source language, the Chinese words live in
app/translations/zh_Hans_CN/LC_MESSAGES/messages.po (README, "Translations": extract, update, compile,
and `flask i18n check`, which lists every text still without its Chinese)."""
from pathlib import Path

from flask import current_app, g, has_request_context, request, session
from flask_babel import Babel, force_locale, get_locale, lazy_gettext, lazy_pgettext, ngettext, pgettext
from flask_babel import gettext as _babel_gettext

__all__ = ["LANGUAGES", "ZH", "N_", "Message", "current_language", "gettext", "lazy_gettext", "ngettext",
           "pgettext", "lazy_pgettext", "translate", "status_label", "status_pair", "in_both", "init_app"]

LANGUAGES = ("zh-CN", "en")
TRANSLATIONS = Path(__file__).parent / "translations"

# Texts a branch added before its words reached the catalogue: read while the catalogue has no
# msgstr for them. `flask i18n check` lists them; the lead moves them into messages.po.
ZH: dict[str, str] = {}


class Message(str):
    """An English text with named variables, `%(name)s`, that is translated where it is shown:
    as a str it reads in English (logs, tests); `translate()` gives it in the reader's language.
    Services raise errors with these (N_ below marks them for pybabel extract)."""

    def __new__(cls, msgid: str, **params):
        text = super().__new__(cls, msgid % params if params else msgid)
        text.msgid, text.params = msgid, params
        return text


def N_(msgid: str, **params) -> Message:  # noqa: N802  (the conventional name of the marker)
    return Message(msgid, **params)


def current_language() -> str:
    if "lang" in g:
        return g.lang
    wanted = request.args.get("lang") if has_request_context() else None
    if wanted in LANGUAGES:
        lang = wanted
    elif has_request_context() and session.get("lang") in LANGUAGES:
        lang = session["lang"]
    elif has_request_context() and request.headers.get("Accept-Language"):
        lang = request.accept_languages.best_match(LANGUAGES, default=current_app.config["DEFAULT_LANGUAGE"])
    else:
        lang = current_app.config["DEFAULT_LANGUAGE"]
    if lang not in LANGUAGES:
        lang = "zh-CN"
    g.lang = lang
    return lang


def _locale_of(lang: str) -> str:
    return lang.replace("-", "_")  # Babel reads zh_CN as zh_Hans_CN, the catalogue's directory


def init_app(app) -> None:
    Babel(app, default_locale="zh_CN", default_translation_directories=str(TRANSLATIONS),
          locale_selector=lambda: _locale_of(current_language()))


def gettext(text: str, **variables) -> str:
    """The text in the request's language (the catalogue's words, else the ZH dict's), `%(name)s`
    variables filled in."""
    words = _babel_gettext(text)
    if words == text and text in ZH and getattr(get_locale(), "language", None) == "zh":
        words = ZH[text]
    return words % variables if variables else words


def translate(text) -> str:
    """A text met while answering (an error's message, a field's reason) in the reader's language:
    a Message by its msgid and variables, a lazy string as it reads now, a plain text as its msgid."""
    if isinstance(text, Message):
        return gettext(text.msgid, **{name: translate(value) if isinstance(value, Message) else value
                                      for name, value in text.params.items()})
    if isinstance(text, str):
        return gettext(text)
    return str(text)


def problem_text(problem) -> str:
    """A problem (one a draft kept: app/engine/parsing.Problem.to_dict) in the reader's language."""
    if not isinstance(problem, dict):
        return translate(getattr(problem, "message", problem))
    if problem.get("msgid"):
        return gettext(problem["msgid"], **(problem.get("params") or {}))
    return translate(problem.get("message", ""))


def in_both(text) -> tuple[str, str]:
    """(English, Chinese) of a lazy text, for the documents printed in both languages."""
    pair = []
    for locale in ("en", "zh_Hans_CN"):
        with force_locale(locale):
            pair.append(str(text))
    return pair[0], pair[1]


# The statuses of complaints and procedure instances (a register's own statuses: app/web/labels.py).
STATUSES = {
    "registered": lazy_pgettext("status", "Registered"), "assigned": lazy_pgettext("status", "Assigned"),
    "escalated": lazy_pgettext("status", "Escalated to the general manager"),
    "awaiting_confirmation": lazy_pgettext("status", "Awaiting confirmation"),
    "sent_back": lazy_pgettext("status", "Sent back"), "awaiting_callback": lazy_pgettext("status", "Awaiting callback"),
    "rehandling": lazy_pgettext("status", "Handled again"), "awaiting_close": lazy_pgettext("status", "Awaiting close"),
    "closed": lazy_pgettext("status", "Closed"), "running": lazy_pgettext("status", "Running"),
    "waiting": lazy_pgettext("status", "Waiting for a timer"), "completed": lazy_pgettext("status", "Completed"),
    "cancelled": lazy_pgettext("status", "Cancelled"), "error": lazy_pgettext("status", "Error"),
    "suspended": lazy_pgettext("status", "Suspended"),
}


def status_label(key: str | None) -> str:
    return str(STATUSES[key]) if key in STATUSES else key or ""


def status_pair(key: str | None) -> tuple[str, str]:
    return in_both(STATUSES[key]) if key in STATUSES else (key or "", key or "")
