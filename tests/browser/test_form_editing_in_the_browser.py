"""Forms edited in the browser (templates/form_edit.html, static/src/form-editor.js): a process
owner opens a draft, names a new form on the draft page, drags a select and a text field from
form-js's palette, gives labels, choices, English words and titles, and saves: the new draft's
`.form` holds the fields and their labels."""
import json
import re

FORM_KEY = "complaint.parts_request"


def _draft_files(page, live_server, draft_id):
    token = page.context.request.post(live_server + "/api/v1/auth/token",
                                      data={"username": "admin", "password": "demo"}).json()["token"]
    draft = page.context.request.get(f"{live_server}/api/v1/drafts/{draft_id}",
                                     headers={"Authorization": "Bearer " + token})
    assert draft.status == 200, draft.text()
    return {f["name"]: f["content"] for f in draft.json()["files"]}


def _drag_from_palette(page, field_type):
    """A palette entry dragged onto the form, with the mouse, the way a person does it."""
    entry = page.locator(f'.fjs-palette-field[data-field-type="{field_type}"]')
    target = page.locator("#form-editor .fjs-form-container .fjs-drop-container-vertical").first
    before = page.locator("#form-editor .fjs-element[data-id]").count()
    start, end = entry.bounding_box(), target.bounding_box()
    page.mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] / 2)
    page.mouse.down()
    page.mouse.move(start["x"] + 40, start["y"] + 10, steps=5)
    x, y = end["x"] + end["width"] / 2, end["y"] + end["height"] - 10
    page.mouse.move(x, y, steps=15)
    page.mouse.move(x, y + 2, steps=2)
    page.mouse.up()
    page.wait_for_function(f"() => document.querySelectorAll('#form-editor .fjs-element[data-id]').length > {before}")


def _open_group(page, group_id):
    """A group of form-js's properties panel, opened unless it is."""
    header = page.locator(f'#form-properties [data-group-id="{group_id}"] .bio-properties-panel-group-header')
    if "open" not in (header.get_attribute("class") or ""):
        header.click()


def _option(page, index, part):
    """The label or value input of the index-th static option (its list item opened)."""
    field = page.locator(f"#bio-properties-panel-staticOptions-{index}-{part}")
    if not field.is_visible():
        page.locator(f'[data-entry-id="staticOptions-{index}"] .bio-properties-panel-collapsible-entry-header').click()
    return field


def test_process_owner_makes_a_new_form_with_a_choice_and_a_text_field(page, login, live_server, errors_of):
    errors = errors_of(page)
    login(page, "process_owner")
    page.goto("/procedures/complaint/edit")
    page.locator('.djs-element[data-element-id="classify_complaint"]').first.wait_for(state="visible")
    with page.expect_navigation():
        page.get_by_role("button", name="保存为草稿").click()
    base = int(re.search(r"/procedures/drafts/(\d+)$", page.url).group(1))

    # the draft page: its files, and a new form by its key
    files = page.locator("#draft-files")
    assert "complaint.bpmn" in files.inner_text()
    page.locator("#new-form input[name=key]").fill(FORM_KEY)
    with page.expect_navigation():
        page.get_by_role("button", name="在表单编辑器中打开").click()
    assert page.url.endswith(f"/procedures/drafts/{base}/forms/{FORM_KEY}")
    page.locator("#form-editor .fjs-palette").wait_for(state="visible")
    assert "新表单" in page.locator("h1").inner_text()

    # a select with two choices
    _drag_from_palette(page, "select")
    _open_group(page, "group-general")
    page.locator("#bio-properties-panel-label").fill("配件类别")
    page.locator("#bio-properties-panel-key").fill("part_kind")
    english = page.locator("#english-labels")
    english.locator("#english-label").fill("Part kind")
    _open_group(page, "group-staticOptions")
    _option(page, 0, "label").fill("发动机")
    _option(page, 0, "value").fill("engine")
    page.locator('[data-group-id="group-staticOptions"] button[title="Create new list item"]').click()
    _option(page, 1, "label").fill("变速箱")
    _option(page, 1, "value").fill("gearbox")
    english.locator('input[data-value="engine"]').fill("Engine")
    english.locator('input[data-value="gearbox"]').fill("Gearbox")

    # the work so far survives a reload (kept in this browser until saved)
    page.wait_for_function("""() => Object.keys(localStorage).some(name => name.startsWith('keep-form:')
        && JSON.parse(localStorage[name]).values.schema.components.some(c => c.properties
        && c.properties['en:gearbox'] === 'Gearbox'))""")
    page.reload()
    assert page.locator("#form-restored").is_visible()
    page.locator("#form-preview").get_by_text("配件类别").wait_for()
    page.locator("#form-editor .fjs-form-field-select").first.click()
    assert english.locator('input[data-value="engine"]').input_value() == "Engine"

    # a text field
    _drag_from_palette(page, "textfield")
    _open_group(page, "group-general")
    page.locator("#bio-properties-panel-label").fill("故障描述")
    page.locator("#bio-properties-panel-key").fill("fault")
    english.locator("#english-label").fill("Fault")

    # the preview shows the form as staff will see it, in Chinese
    preview = page.locator("#form-preview")
    preview.get_by_text("配件类别").wait_for()
    preview.get_by_text("故障描述").wait_for()

    # titles and a cross-field rule
    page.locator("#title-zh").fill("配件申请")
    page.locator("#title-en").fill("Parts request")
    page.get_by_role("button", name="添加规则").click()
    page.locator(".validator-name").select_option("required_when")
    page.locator('[data-param="fields"]').fill("fault")
    page.locator('[data-param="when_field"]').fill("part_kind")
    page.locator('[data-param="when_values"]').fill("engine")

    with page.expect_navigation():
        page.locator("#save-form").click()
    match = re.search(r"/procedures/drafts/(\d+)$", page.url)
    assert match and int(match.group(1)) != base, page.url
    assert page.locator("p.flash").count() == 1
    link = page.locator(f'#draft-files a[href$="/forms/{FORM_KEY}"]')
    assert link.inner_text() == f"{FORM_KEY}.form"

    saved = _draft_files(page, live_server, match.group(1))
    definition = json.loads(saved[f"{FORM_KEY}.form"])
    assert definition["id"] == FORM_KEY and definition["type"] == "default"
    assert definition["title"] == {"zh-CN": "配件申请", "en": "Parts request"}
    assert definition["validators"] == [{"name": "required_when", "fields": ["fault"], "when_field": "part_kind",
                                         "when_values": ["engine"]}]
    kind, fault = definition["components"]
    assert kind["type"] == "select" and kind["key"] == "part_kind" and kind["label"] == "配件类别"
    assert kind["values"] == [{"label": "发动机", "value": "engine"}, {"label": "变速箱", "value": "gearbox"}]
    assert kind["properties"] == {"label_en": "Part kind", "en:engine": "Engine", "en:gearbox": "Gearbox"}
    assert fault["type"] == "textfield" and fault["key"] == "fault" and fault["label"] == "故障描述"
    assert fault["properties"] == {"label_en": "Fault"}
    assert "complaint.bpmn" in saved  # with the base draft's files

    # what this browser kept of the base draft's form is forgotten once saved
    with page.expect_navigation():
        page.goto(f"/procedures/drafts/{base}/forms/{FORM_KEY}")
    page.locator("#form-editor .fjs-palette").wait_for(state="visible")
    assert page.locator("#form-restored").is_hidden() and page.locator("#title-zh").input_value() == ""
    page.go_back()

    # opened again from the new draft: the fields, their English words and the rule come back
    with page.expect_navigation():
        link.click()
    page.locator("#form-editor .fjs-element[data-id]").nth(2).wait_for()
    assert page.locator("#title-zh").input_value() == "配件申请"
    assert page.locator('[data-param="when_field"]').input_value() == "part_kind"
    page.locator("#form-editor .fjs-form-field-select").first.click()
    assert page.locator("#english-label").input_value() == "Part kind"
    assert page.locator('#english-labels input[data-value="gearbox"]').input_value() == "Gearbox"
    assert errors == [], "\n".join(errors)
