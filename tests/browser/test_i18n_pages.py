"""A Chinese page refusing a form says every reason in Chinese, one reason a line (the catalogue,
app/translations/; marshmallow's own messages too)."""
import re

LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
CJK = re.compile(r"[\u4e00-\u9fff]")


def test_a_refused_intake_shows_only_chinese_reasons_one_per_line(page, login):
    login(page, "customer_dept")
    page.goto("/")
    with page.expect_navigation():
        page.get_by_role("link", name="登记投诉").click()
    form = page.locator("form.task-form")
    # What a browser would not let through: a date typed by hand, no channel chosen, a phone too long.
    page.evaluate("""() => {
        const form = document.querySelector('form.task-form');
        form.noValidate = true;
        document.querySelector('#f-received_at').type = 'text';
        document.querySelector('#f-contact_phone').removeAttribute('maxlength');
    }""")
    form.locator("#f-received_at").fill("明天上午")
    form.locator("#f-channel").select_option("")
    form.locator("#f-customer_name").fill("钱女士")
    form.locator("#f-contact_phone").fill("call me at home, any evening after work")
    form.locator("#f-vehicle").fill("沪A·12345")
    form.locator("#f-description").fill("保养后发动机异响")
    with page.expect_navigation() as navigation:
        form.locator("button[type=submit]").click()
    assert navigation.value.status == 422

    invalid = page.locator("div.field.invalid")
    shown = {invalid.nth(i).locator("select, input, textarea").first.get_attribute("name"):
             invalid.nth(i).locator(".reason").all_inner_texts() for i in range(invalid.count())}
    assert shown == {
        "received_at": ["不是有效的日期时间。"],
        "channel": ["必须是以下之一：电话、电子邮件、在线客服、到店、回访、客户拜访。"],  # by labels, never keys
        "contact_phone": ["长度必须在 1 到 32 之间。", "不是有效的电话号码"],
    }
    for reasons in shown.values():
        for reason in reasons:
            assert CJK.search(reason) and not LATIN_WORD.search(reason), reason
    # one reason a line: the phone's two reasons sit one above the other, never glued
    first, second = (box["y"] for box in (r.bounding_box() for r in
                                          page.locator("div.field.invalid:has(#f-contact_phone) .reason").all()))
    assert second > first
    assert page.locator("main p.error").inner_text() == "表单有误，请检查标出的字段。"
