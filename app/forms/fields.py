"""Field helpers that carry the zh-CN and English labels the pages and JSON Schema show, and the
validators whose messages are catalogue texts: a reason is a Message (English, with its msgid and
values) that the page or API answer shows in the reader's language (app/web/errors.py)."""
from zoneinfo import ZoneInfo

from marshmallow import Schema, ValidationError, fields, validate

from ..i18n import N_, current_language

# marshmallow's own messages, as our fields and schemas raise them (msgids of the catalogue).
MARSHMALLOW_MESSAGES = (
    N_("Missing data for required field."), N_("Field may not be null."), N_("Invalid value."),
    N_("Not a valid string."), N_("Not a valid utf-8 string."), N_("Not a valid datetime."),
    N_("Not a valid aware datetime."), N_("Not a valid date."), N_("Not a valid integer."), N_("Not a valid number."),
    N_("Number too large."), N_("Special numeric values (nan or infinity) are not permitted."),
    N_("Not a valid boolean."), N_("Not a valid list."), N_("Not a valid mapping type."),
    N_("Unknown field."), N_("Invalid input type."),
)


class Length(validate.Length):
    message_min = N_("Shorter than minimum length %(min)s.")
    message_max = N_("Longer than maximum length %(max)s.")
    message_all = N_("Length must be between %(min)s and %(max)s.")
    message_equal = N_("Length must be %(equal)s.")

    def _format_error(self, value, message):
        return N_(self.error or message, min=self.min, max=self.max, equal=self.equal)


class Range(validate.Range):
    message_min = N_("Must be at least %(min)s.")
    message_max = N_("Must be at most %(max)s.")
    message_all = N_("Must be between %(min)s and %(max)s.")

    def _format_error(self, value, message):
        return N_(self.error or message, min=self.min, max=self.max)


class ChoiceLabels:
    """The labels of a field's choices, read in the language of the moment it is shown."""

    def __init__(self, titles: dict):
        self.titles = titles

    def __str__(self):
        try:
            lang = current_language()
        except RuntimeError:  # outside a request or command
            lang = "en"
        return ("、" if lang == "zh-CN" else ", ").join(labels.get(lang) or labels["zh-CN"]
                                                       for labels in self.titles.values())


class OneOf(validate.OneOf):
    """One of the choices; the refusal lists them by their labels, never by their keys."""
    default_message = N_("Must be one of: %(choices)s.")

    def __init__(self, titles: dict):
        super().__init__(list(titles))
        self.choice_labels = ChoiceLabels(titles)

    def _format_error(self, value):
        return N_(self.error, choices=self.choice_labels)

# Times typed without an offset (an HTML datetime-local input) are the service's local time.
LOCAL_ZONE = ZoneInfo("Asia/Shanghai")


def _meta(en: str, zh: str, **extra) -> dict:
    return {"label": {"en": en, "zh-CN": zh}, **extra}


def text(en, zh, *, required=True, max_length=2000, min_length=None, multiline=False, validate_also=None, **kw):
    low = (1 if required else 0) if min_length is None else min_length
    checks = [Length(min=low, max=max_length), *([validate_also] if validate_also else [])]
    return fields.String(required=required, validate=checks,
                         metadata=_meta(en, zh, multiline=multiline), **kw)


def _titles(choices: list[tuple[str, str, str]]) -> dict:
    return {key: {"en": label_en, "zh-CN": label_zh} for key, label_en, label_zh in choices}


def choice(en, zh, choices: list[tuple[str, str, str]], *, required=True, **kw):
    """choices: (stable English key, English label, Chinese label)."""
    return fields.String(required=required, validate=OneOf(_titles(choices)),
                         metadata=_meta(en, zh, choices=_titles(choices)), **kw)


def yes_no(en, zh, *, required=True, **kw):
    return fields.Boolean(required=required, metadata=_meta(en, zh), **kw)


def moment(en, zh, *, required=True, **kw):
    return fields.AwareDateTime(required=required, default_timezone=LOCAL_ZONE, metadata=_meta(en, zh), **kw)


def number(en, zh, *, minimum=None, maximum=None, required=False, **kw):
    checks = [Range(min=minimum, max=maximum)] if (minimum, maximum) != (None, None) else []
    return fields.Integer(required=required, strict=False, validate=checks, metadata=_meta(en, zh), **kw)


class SerialNumbers(fields.List):
    """A list of serial numbers. JSON clients send a list of strings; the page's textarea
    sends one serial per line (commas and spaces also separate), which becomes the same list."""

    def __init__(self, **kw):
        super().__init__(fields.String(validate=Length(min=1, max=64)), **kw)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str):
            value = [part for part in value.replace(",", "\n").replace("，", "\n").split() if part]
        serials = super()._deserialize(value, attr, data, **kwargs)
        repeated = sorted({s for s in serials if serials.count(s) > 1})
        if repeated:
            raise ValidationError(N_("serial numbers repeated: %(serials)s", serials=", ".join(repeated)))
        return serials


def serials(en, zh, *, required=True, **kw):
    checks = Length(min=1, max=500) if required else Length(max=500)
    return SerialNumbers(required=required, validate=checks, metadata=_meta(en, zh, multiline=True), **kw)


class UnitFindings(fields.Dict):
    """serial -> one of `choices`. JSON clients send an object; the page's textarea sends one
    unit per line, `SERIAL cause`, where the cause is its key or its Chinese or English label."""

    def __init__(self, choices: list[tuple[str, str, str]], **kw):
        self.names = {}
        for key, en, zh in choices:
            self.names.update({key: key, en.lower(): key, zh: key})
        super().__init__(keys=fields.String(validate=Length(min=1, max=64)),
                         values=fields.String(validate=OneOf(_titles(choices))), **kw)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str):
            parsed = {}
            for line in value.splitlines():
                serial, _, cause = line.strip().replace("：", " ").replace(":", " ").partition(" ")
                if serial:
                    parsed[serial] = self.names.get(cause.strip().lower(), cause.strip())
            value = parsed
        return super()._deserialize(value, attr, data, **kwargs)


def findings(en, zh, choices, *, required=False, **kw):
    return UnitFindings(choices, required=required, metadata=_meta(en, zh, multiline=True, choices=_titles(choices)),
                        **kw)


QUOTE_PARTS = ("repair", "materials", "added_parts", "upgrade")  # 维修费、材料费、加装配件、升级


class QuoteItems(fields.Dict):
    """serial -> the unit's quote in yuan: {repair, materials, added_parts, upgrade}. JSON clients
    send an object; the page's textarea sends one unit per line, `SERIAL repair materials parts
    upgrade` (four amounts, 0 for none)."""

    def __init__(self, **kw):
        amounts = {name: fields.Float(required=True, allow_nan=False, validate=Range(min=0, max=10_000_000))
                   for name in QUOTE_PARTS}
        super().__init__(keys=fields.String(validate=Length(min=1, max=64)),
                         values=fields.Nested(Schema.from_dict(amounts)), **kw)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str):
            parsed = {}
            for line in value.splitlines():
                serial, *amounts = line.replace(",", " ").replace("，", " ").split()
                if len(amounts) != len(QUOTE_PARTS):
                    raise ValidationError(N_("each line is a serial number and four amounts: %(line)s",
                                             line=line.strip()[:100]))
                parsed[serial] = dict(zip(QUOTE_PARTS, amounts))
            value = parsed
        return super()._deserialize(value, attr, data, **kwargs)


def quote_items(en, zh, *, required=True, **kw):
    return QuoteItems(required=required, validate=Length(min=1 if required else 0, max=500),
                      metadata=_meta(en, zh, multiline=True), **kw)


def day(en, zh, *, required=True, **kw):
    return fields.Date(required=required, metadata=_meta(en, zh), **kw)


def amount(en, zh, *, required=True, minimum=0, maximum=10_000_000, **kw):
    """Money in yuan, two decimals; a JSON number (the engine's data is JSON)."""
    return fields.Float(required=required, allow_nan=False, validate=Range(min=minimum, max=maximum),
                        metadata=_meta(en, zh), **kw)
