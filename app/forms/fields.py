"""Field helpers that carry the zh-CN and English labels the pages and JSON Schema show."""
from zoneinfo import ZoneInfo

from marshmallow import fields, validate

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
