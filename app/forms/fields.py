"""Field helpers that carry the zh-CN and English labels the pages and JSON Schema show."""
from zoneinfo import ZoneInfo

from marshmallow import ValidationError, fields, validate

# Times typed without an offset (an HTML datetime-local input) are the service's local time.
LOCAL_ZONE = ZoneInfo("Asia/Shanghai")


def _meta(en: str, zh: str, **extra) -> dict:
    return {"label": {"en": en, "zh-CN": zh}, **extra}


def text(en, zh, *, required=True, max_length=2000, multiline=False, validate_also=None, **kw):
    checks = [validate.Length(min=1 if required else 0, max=max_length), *([validate_also] if validate_also else [])]
    return fields.String(required=required, validate=checks,
                         metadata=_meta(en, zh, multiline=multiline), **kw)


def choice(en, zh, choices: list[tuple[str, str, str]], *, required=True, **kw):
    """choices: (stable English key, English label, Chinese label)."""
    titles = {key: {"en": label_en, "zh-CN": label_zh} for key, label_en, label_zh in choices}
    return fields.String(required=required, validate=validate.OneOf([c[0] for c in choices]),
                         metadata=_meta(en, zh, choices=titles), **kw)


def yes_no(en, zh, *, required=True, **kw):
    return fields.Boolean(required=required, metadata=_meta(en, zh), **kw)


def moment(en, zh, *, required=True, **kw):
    return fields.AwareDateTime(required=required, default_timezone=LOCAL_ZONE, metadata=_meta(en, zh), **kw)


def number(en, zh, *, minimum, maximum, required=False, **kw):
    return fields.Integer(required=required, strict=False, validate=validate.Range(min=minimum, max=maximum),
                          metadata=_meta(en, zh), **kw)


class SerialNumbers(fields.List):
    """A list of serial numbers. JSON clients send a list of strings; the page's textarea
    sends one serial per line (commas and spaces also separate), which becomes the same list."""

    def __init__(self, **kw):
        super().__init__(fields.String(validate=validate.Length(min=1, max=64)), **kw)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str):
            value = [part for part in value.replace(",", "\n").replace("，", "\n").split() if part]
        serials = super()._deserialize(value, attr, data, **kwargs)
        repeated = sorted({s for s in serials if serials.count(s) > 1})
        if repeated:
            raise ValidationError(f"serial numbers repeated: {', '.join(repeated)}")
        return serials


def serials(en, zh, *, required=True, **kw):
    checks = validate.Length(min=1, max=500) if required else validate.Length(max=500)
    return SerialNumbers(required=required, validate=checks, metadata=_meta(en, zh, multiline=True), **kw)


class UnitFindings(fields.Dict):
    """serial -> one of `choices`. JSON clients send an object; the page's textarea sends one
    unit per line, `SERIAL cause`, where the cause is its key or its Chinese or English label."""

    def __init__(self, choices: list[tuple[str, str, str]], **kw):
        self.names = {}
        for key, en, zh in choices:
            self.names.update({key: key, en.lower(): key, zh: key})
        super().__init__(keys=fields.String(validate=validate.Length(min=1, max=64)),
                         values=fields.String(validate=validate.OneOf([c[0] for c in choices])), **kw)

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
    titles = {key: {"en": label_en, "zh-CN": label_zh} for key, label_en, label_zh in choices}
    return UnitFindings(choices, required=required, metadata=_meta(en, zh, multiline=True, choices=titles), **kw)


def day(en, zh, *, required=True, **kw):
    return fields.Date(required=required, metadata=_meta(en, zh), **kw)


def amount(en, zh, *, required=True, **kw):
    """Money in yuan, two decimals; a JSON number (the engine's data is JSON)."""
    return fields.Float(required=required, allow_nan=False, validate=validate.Range(min=0, max=10_000_000),
                        metadata=_meta(en, zh), **kw)
