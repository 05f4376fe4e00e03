"""Decision tables checked with every procedure check (app/engine/decisions.py through
services/deployments.check) and edited in the browser: the decision-table editor's page, its
check and its save as a new draft (app/web/procedures.py)."""
import json
import re

import pytest

from app.i18n import translate
from app.services import deployments
from versions import as_json, shipped

ROUTING, WARRANTY = "complaint_routing.dmn", "warranty_check.dmn"
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def _edited(name: str, edit) -> dict[str, str]:
    return {n: edit(text) if n == name else text for n, text in shipped().items()}


def _rules_cut(text: str, first: str, until: str) -> str:
    """The table without the rules from rule `first` up to (not including) `until`."""
    return text[:text.index(f'<rule id="{first}">')] + text[text.index(until):]


BROKEN = [
    ("overlap", ROUTING, lambda t: t.replace('<text>"sales"</text>', '<text>"parts"</text>'), "Rule_sales",
     'rules 3 (Rule_parts) and 5 (Rule_sales) both match when 投诉类别 = "parts"',
     '规则 3 (Rule_parts) 和 5 (Rule_sales) 在 投诉类别 = "parts" 时同时匹配'),
    ("overlap of a list", ROUTING, lambda t: t.replace('<text>"sales"</text>', '<text>in ["sales", "parts"]</text>'),
     "Rule_sales", "rules 3 (Rule_parts) and 5 (Rule_sales) both match", "规则 3 (Rule_parts) 和 5 (Rule_sales)"),
    ("catch-all beside a rule", WARRANTY, lambda t: t.replace('<text>!= "none"</text>', "<text>-</text>"),
     "Rule_in_warranty", "rules 1 (Rule_misuse) and 6 (Rule_in_warranty) both match when 人为损坏原因 = \"none\", "
     "机身序列号完好 = True, 有保修卡 = True, 有经销商印章 = True, 购买一年以内 = True", "同时匹配"),
    ("unquoted text", ROUTING, lambda t: t.replace('<text>"sales"</text>', "<text>sales</text>"), "Rule_sales",
     'rule 5 (Rule_sales), input 投诉类别: a text entry must be quoted: write "sales"',
     '规则 5 (Rule_sales)，输入 投诉类别：文本条目必须加引号：请写成 "sales"'),
    ("number in a text column", ROUTING, lambda t: t.replace('<text>"sales"</text>', "<text>5</text>"), "Rule_sales",
     "5 is not a text", "5 不是文本"),
    ("lower-case boolean", WARRANTY, lambda t: t.replace("<text>True</text>", "<text>true</text>", 1),
     "Rule_no_warranty_card", "write True, with a capital letter", "请写成首字母大写的 True"),
    ("text in a boolean column", WARRANTY, lambda t: t.replace("<text>True</text>", '<text>"yes"</text>', 1),
     "Rule_no_warranty_card", '"yes" is not True or False', '"yes" 不是True 或 False'),
    ("comma list", ROUTING, lambda t: t.replace('<text>"sales"</text>', '<text>"sales", "parts"</text>'), "Rule_sales",
     'compared as one tuple and never matches: write in ("sales", "parts")', "逗号分隔的列表"),
    ("does not compile", ROUTING, lambda t: t.replace('<text>"sales"</text>', '<text>== == "sales"</text>'),
     "Rule_sales", "is not an expression this engine can evaluate", "不是本引擎能求值的表达式"),
    ("outside the sandbox", ROUTING, lambda t: t.replace('<text>"sales"</text>', "<text>__import__('os')</text>"),
     "Rule_sales", "cannot be evaluated: function '__import__' is not available", "无法求值"),
    ("FEEL range", ROUTING, lambda t: t.replace('typeRef="string"', 'typeRef="integer"', 1)
     .replace('<text>"sales"</text>', "<text>[1..5]</text>"), "Rule_sales",
     "[1..5] is a FEEL range, which this engine does not evaluate: write 1 &lt;= ? &lt;= 5".replace("&lt;", "<"),
     "FEEL 区间写法"),
    ("empty range", ROUTING, lambda t: t.replace('typeRef="string"', 'typeRef="number"', 1)
     .replace('<text>"sales"</text>', "<text>5 &lt; ? &lt; 1</text>"), "Rule_sales",
     "5 < ? < 1 matches no value", "不匹配任何值"),
    ("unknown type", ROUTING, lambda t: t.replace('typeRef="string"', 'typeRef="text"', 1), "Input_category",
     "column 投诉类别 has the unknown type 'text'", "列 投诉类别 的类型“text”未知"),
    ("empty output", ROUTING, lambda t: t.replace('<text>"parts_manager"</text>', "<text></text>"), "Rule_parts",
     "rule 3 (Rule_parts) gives no value for output 责任角色", "规则 3 (Rule_parts) 没有给出输出 责任角色 的值"),
    ("output of another type", ROUTING, lambda t: t.replace('<text>"parts_manager"</text>', "<text>12</text>"),
     "Rule_parts", "rule 3 (Rule_parts), output 责任角色: 12 is not a text", "规则 3 (Rule_parts)，输出 责任角色：12 不是文本"),
    ("missing outcome", WARRANTY, lambda t: _rules_cut(t, "Rule_over_one_year", '<rule id="Rule_in_warranty">'),
     "warranty_check", 'no rule matches when 人为损坏原因 = "none", 机身序列号完好 = True, 有保修卡 = True, '
     "有经销商印章 = True, 购买一年以内 = False", '当 人为损坏原因 = "none"'),
    ("missing outcome of another text", WARRANTY,
     lambda t: t.replace('<inputEntry id="InputEntry_misuse_serial_intact">\n          <text>-</text>',
                         '<inputEntry id="InputEntry_misuse_serial_intact">\n          <text>True</text>'),
     "warranty_check", 'no rule matches when 人为损坏原因 ≠ "none", 机身序列号完好 = False, and no rule',
     '当 人为损坏原因 ≠ "none", 机身序列号完好 = False 时没有规则匹配'),
    ("hit policy the engine does not follow", ROUTING, lambda t: t.replace('hitPolicy="UNIQUE"', 'hitPolicy="PRIORITY"'),
     "complaint_routing", "the hit policy PRIORITY is not one this engine follows", "本引擎不支持命中策略 PRIORITY"),
    ("ANY with different outputs", ROUTING, lambda t: t.replace('hitPolicy="UNIQUE"', 'hitPolicy="ANY"')
     .replace('<text>"sales"</text>', '<text>"parts"</text>'), "Rule_sales",
     'rules 3 (Rule_parts) and 5 (Rule_sales) both match when 投诉类别 = "parts" but give different outputs',
     "但输出不同"),
    ("overlapping dates", ROUTING, lambda t: t.replace('typeRef="string"', 'typeRef="date"', 1)
     .replace('<text>"sales"</text>', '<text>&gt;= "2024-01-01"</text>')
     .replace('<text>"parts"</text>', '<text>"2024-03-01"</text>'), "Rule_sales",
     'rules 3 (Rule_parts) and 5 (Rule_sales) both match when 投诉类别 = "2024-03-01"', "同时匹配"),
    ("not a date", ROUTING, lambda t: t.replace('typeRef="string"', 'typeRef="date"', 1), "Rule_sales",
     '"sales" is not a date: write it quoted as "YYYY-MM-DD"', '"sales" 不是日期'),
    ("no rules", ROUTING, lambda t: _rules_cut(t, "Rule_repair_quality", "</decisionTable>"), "complaint_routing",
     "the decision table has no rules", "决策表没有规则"),
]


def test_the_shipped_decision_tables_pass():
    for key, files in deployments.procedure_files(deployments.Path("processes")).items():
        assert deployments.check(files)[1] == [], key


@pytest.mark.parametrize("case", BROKEN, ids=[case[0] for case in BROKEN])
def test_each_decision_check_names_its_file_and_rule_in_both_languages(app, case):
    _, file, edit, element, english, chinese = case
    parsed, problems = deployments.check(_edited(file, edit))
    assert parsed is not None
    found = [p for p in problems if p.file == file and p.element_id == element]
    assert len(found) >= 1, problems
    assert any(english in p.message for p in found), [p.message for p in found]
    with app.test_request_context("/?lang=zh-CN"):
        assert any(chinese in translate(p.message) for p in found), [translate(p.message) for p in found]


def test_numeric_ranges_overlap_and_leave_gaps_only_where_they_do():
    def table(*entries):
        rules = iter(entries)
        # six rules numbered: the product-quality rule (the 8D procedure's) taken out first
        return lambda t: re.sub(r'<text>"(repair_quality|service_attitude|parts|warranty_claim|sales|other)"</text>',
                                lambda m: f"<text>{next(rules)}</text>",
                                re.sub(r'\s*<rule id="Rule_product_quality">.*?</rule>', "", t, flags=re.S)
                                .replace('typeRef="string"', 'typeRef="integer"', 1))
    exclusive = table("&lt; 100", "100 &lt;= ? &lt; 500", "&gt;= 500", "-1 &gt; ?", "in [1, 2]", "== 700")
    problems = deployments.check(_edited(ROUTING, exclusive))[1]
    messages = [p.message for p in problems]
    # rule 4 (< -1) lies inside rule 1 (< 100), and so do 1 and 2; 700 inside >= 500; no gap
    assert "rules 1 (Rule_repair_quality) and 4 (Rule_warranty_claim) both match when 投诉类别 = -2" in messages[0]
    assert len(problems) == 3 and not any("no rule matches" in m for m in messages), messages
    gap = table("&lt; 100", "100 &lt; ? &lt; 500", "&gt;= 500", "-", "-", "-")
    problems = deployments.check(_edited(ROUTING, _keep_rules(gap, 3)))[1]
    assert [p.message for p in problems] == ["no rule matches when 投诉类别 = 100, and no rule catches all other "
                                             "cases: add a rule for it"]


def _keep_rules(edit, count):
    def edited(text):
        text = edit(text)
        rules = [m.start() for m in re.finditer(r"<rule ", text)]
        return text[:rules[count]] + text[text.index("</decisionTable>"):]
    return edited


# --- the editor's pages -----------------------------------------------------------------------


@pytest.fixture
def draft_id(api):
    response = api.as_("process_owner").post("/drafts", json=as_json(shipped()))
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def _drafts(api) -> int:
    return api.as_("admin").get("/drafts").get_json()["total"]


def _token(person, path) -> str:
    return TOKEN.search(person.get(path).get_data(as_text=True)).group(1)


def test_the_editor_checks_what_is_typed_in_either_language_storing_nothing(api, pages, draft_id):
    owner = pages("process_owner")
    path = f"/procedures/drafts/{draft_id}/decisions/{ROUTING}"
    page = owner.get(path)
    assert page.status_code == 200
    assert page.headers["Content-Security-Policy"].startswith("default-src 'self'")
    html = page.get_data(as_text=True)
    assert 'id="decision-data"' in html and "<script>" not in html
    before = _drafts(api)
    overlapping = _edited(ROUTING, BROKEN[0][2])[ROUTING]
    headers = {"X-CSRFToken": _token(owner, path)}
    zh = owner.client.post(path + "/check", json={"dmn": overlapping}, headers=headers)
    assert zh.status_code == 200
    assert zh.get_json()["problems"] == [{"element_id": "Rule_sales", "message":
                                          '规则 3 (Rule_parts) 和 5 (Rule_sales) 在 投诉类别 = "parts" 时同时匹配'
                                          "（命中策略 UNIQUE 只允许一条）：请让它们的条目互斥"}]
    en = owner.client.post(path + "/check?lang=en", json={"dmn": overlapping}, headers=headers).get_json()
    assert en["problems"][0]["message"].startswith("rules 3 (Rule_parts) and 5 (Rule_sales) both match")
    clean = owner.client.post(path + "/check", json={"dmn": shipped()[ROUTING]}, headers=headers)
    assert clean.get_json() == {"problems": []}
    unreadable = owner.client.post(path + "/check", json={"dmn": "<definitions"}, headers=headers)
    assert unreadable.status_code == 200 and "not well-formed XML" in unreadable.get_json()["problems"][0]["message"]
    missing = owner.client.post(path + "/check", json={"xml": "x"}, headers=headers)
    assert missing.status_code == 400 and missing.get_json()["errors"] == {"dmn": ["必填，且须为文本"]} or \
        missing.get_json()["errors"].keys() == {"dmn"}
    assert owner.client.post(path + "/check", json={"dmn": overlapping}).status_code == 400  # no CSRF token
    assert _drafts(api) == before


def test_saving_makes_a_new_draft_with_the_file_replaced_and_leaves_the_old_one(api, pages, draft_id):
    owner = pages("process_owner")
    path = f"/procedures/drafts/{draft_id}/decisions/{ROUTING}"
    overlapping = _edited(ROUTING, BROKEN[0][2])[ROUTING]
    saved = owner.post(path, {"dmn": overlapping})
    assert saved.status_code == 302
    new_id = int(re.search(r"/procedures/drafts/(\d+)$", saved.headers["Location"]).group(1))
    assert new_id != draft_id
    new = api.as_("admin").get(f"/drafts/{new_id}").get_json()
    assert new["valid"] is False
    assert [(p["file"], p["element_id"]) for p in new["problems"]] == [(ROUTING, "Rule_sales")]
    files = {f["name"]: f["content"] for f in new["files"]}
    assert files[ROUTING] == overlapping and files["complaint.bpmn"] == shipped()["complaint.bpmn"]
    old = api.as_("admin").get(f"/drafts/{draft_id}").get_json()
    assert old["valid"] is True and {f["name"]: f["content"] for f in old["files"]}[ROUTING] == shipped()[ROUTING]
    shown = owner.get(f"/procedures/drafts/{new_id}/decisions/{ROUTING}").get_data(as_text=True)
    data = json.loads(re.search(r'id="decision-data">(.*?)</script>', shown, re.S).group(1))
    assert data["xml"] == overlapping  # the problems shown on opening, in Chinese
    assert [(p["element_id"], "同时匹配" in p["message"]) for p in data["problems"]] == [("Rule_sales", True)]

    fixed = owner.post(f"/procedures/drafts/{new_id}/decisions/{ROUTING}", {"dmn": shipped()[ROUTING]})
    fixed_id = int(fixed.headers["Location"].rsplit("/", 1)[1])
    assert api.as_("admin").get(f"/drafts/{fixed_id}").get_json()["valid"] is True

    before = _drafts(api)
    refused = owner.post(path, {"dmn": "<definitions"})
    assert refused.status_code == 422 and "not well-formed XML" in refused.get_data(as_text=True)
    assert _drafts(api) == before


def test_only_process_owners_open_the_editor_and_only_decision_tables_of_the_draft(api, pages, draft_id):
    path = f"/procedures/drafts/{draft_id}/decisions/{ROUTING}"
    owner, admin, staff = pages("process_owner"), pages("admin"), pages("customer_dept")
    assert admin.get(path).status_code == 200
    assert staff.get(path).status_code == 403
    assert staff.client.post(path + "/check", json={"dmn": "x"}).status_code in (400, 403)
    before = _drafts(api)
    assert staff.client.post(path, data={"dmn": shipped()[ROUTING]}).status_code in (400, 403)
    assert _drafts(api) == before
    assert owner.get(f"/procedures/drafts/{draft_id}/decisions/complaint.bpmn").status_code == 404
    assert owner.get(f"/procedures/drafts/{draft_id}/decisions/nothing.dmn").status_code == 404
    assert owner.get(f"/procedures/drafts/999999/decisions/{ROUTING}").status_code == 404
    draft_page = owner.get(f"/procedures/drafts/{draft_id}").get_data(as_text=True)
    assert f'href="{path}"' in draft_page and f"/decisions/{WARRANTY}" in draft_page
