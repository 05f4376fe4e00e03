"""`q=` through the search index (app/models/search.py): two-character Chinese terms found where
they occur and nowhere else, phone and plate fragments, search combined with filters and
keyset pages, the index following a complaint's later changes, and single characters refused.
Each test searches words it made up (rare character pairs, random digits), so the rows of
other tests never match."""
import random
import uuid

from return_authorization import ReturnCase
from procedures import GOOD_HANDLING, Case

_RNG = random.Random()


def rare_pair() -> str:
    """Two CJK characters, different each call, from the block's rarely used end."""
    first, second = _RNG.sample(range(0x8000, 0x9f00), 2)
    return chr(first) + chr(second)


def digits(count: int) -> str:
    return "".join(_RNG.choice("0123456789") for _ in range(count))


def found(api, username="customer_dept", **query) -> list[str]:
    response = api.as_(username).get("/complaints", query_string={"per_page": 500, **query})
    assert response.status_code == 200, response.get_json()
    return sorted(c["number"] for c in response.get_json()["items"])


def test_a_two_character_chinese_term_finds_the_complaints_holding_it_and_no_others(api):
    word = rare_pair()
    holder = Case(api, description=f"保养后{word}明显")
    alone = Case(api, customer_name=f"{word}")  # a searched field other than the description
    apart = Case(api, description=f"{word[0]}和{word[1]}")  # both characters, not side by side
    reversed_ = Case(api, description=f"{word[::-1]}问题")
    assert found(api, q=word) == sorted([holder.number, alone.number])
    assert found(api, q=f"后{word}明") == [holder.number]  # a longer term: the phrase of its bigrams
    assert apart.number not in found(api, q=word) and reversed_.number not in found(api, q=word)
    assert found(api, q=f"{word} 明显") == [holder.number]  # every term must match


def test_phone_and_plate_fragments_find_their_complaint(api):
    phone = "139" + digits(8)
    plate = "Q" + digits(5)
    case = Case(api, contact_phone=phone, vehicle=f"帕萨特 粤{plate}")
    for fragment in (phone, phone[3:10], phone[-4:], plate, plate[:4].lower(), f"粤{plate[:3]}", plate[2:]):
        assert case.number in found(api, q=fragment), fragment
    assert found(api, q=phone[3:10] + "x") == []
    assert found(api, q=f"{phone[-4:]} {plate}") == [case.number]


def test_search_combines_with_filters_and_keyset_pages(api):
    word = rare_pair()
    cases = [Case(api, description=f"{word}{i}", received_at=f"2026-10-0{i + 1}T09:00:00+08:00") for i in range(4)]
    cases[0].classify(category="repair_quality", severity="major")
    assert found(api, q=word, status="registered") == sorted(c.number for c in cases[1:])
    assert found(api, q=word, category="repair_quality") == [cases[0].number]
    role = cases[0].complaint()["responsible_role"]
    assert found(api, q=word, responsible=role) == [cases[0].number]
    walked, after = [], None
    while True:
        body = api.as_("customer_dept").get("/complaints", query_string={
            "q": word, "sort": "received", "per_page": 1, **({"after": after} if after else {})}).get_json()
        walked += [c["number"] for c in body["items"]]
        assert body["total"] == 4 and body["total_exact"]
        after = body["next_after"]
        if after is None:
            break
    assert walked == [c.number for c in cases]  # in received order, none twice, none lost


def test_a_complaint_is_found_by_what_a_later_task_wrote(api):
    word = rare_pair()
    case = Case(api, description="刹车异响")
    assert found(api, q=word) == []
    case.classify(category="repair_quality", severity="general")
    case.complete("workshop_supervisor", "handle_workshop", {**GOOD_HANDLING, "result": f"已更换{word}并道歉"})
    assert found(api, q=word) == [case.number]
    assert case.number in found(api, q=f"更换{word}")


def test_a_single_character_is_refused_naming_the_field(api):
    for q in ("王", " 王 ", "7", "王 7"):
        response = api.as_("customer_dept").get("/complaints", query_string={"q": q})
        assert response.status_code == 422, (q, response.get_json())
        assert response.get_json()["error"]["fields"]["q"] == ["请至少输入 2 个字符（汉字、字母或数字）"]
    case = Case(api, customer_name="王" + rare_pair(), contact_phone="137" + digits(8))
    phone = case.complaint()["contact_phone"]
    assert found(api, q=f"王 {phone[-5:]}") == [case.number]  # a single character beside a longer term is left out


def test_the_return_register_is_searched_through_the_same_index(api):
    word = rare_pair()
    mine = ReturnCase(api, fault_description=f"开机{word}无显示")
    ReturnCase(api, fault_description=f"{word[0]}{uuid.uuid4().hex[:4]}{word[1]}")
    clerk = api.as_("logistics_clerk")
    response = clerk.get("/return-authorizations", query_string={"q": word, "per_page": 500})
    assert response.status_code == 200, response.get_json()
    assert [r["id"] for r in response.get_json()["items"]] == [mine.request_id]
    assert clerk.get("/return-authorizations", query_string={"q": "开"}).status_code == 422


def test_a_responsible_party_pages_once_through_each_complaint_held_as_department_and_as_person(api):
    """responsible= reads the department's and the person's complaints apart (paging's parts):
    one both handled by the person and held by the department is listed once, in order."""
    word = rare_pair()
    cases = [Case(api, description=f"{word}{i}", received_at=f"2026-09-0{i + 1}T09:00:00+08:00") for i in range(3)]
    for case in cases:
        case.classify(category="repair_quality", severity="general")
    cases[1].complete("workshop_supervisor", "handle_workshop", GOOD_HANDLING)
    role = cases[0].complaint()["responsible_role"]
    walked, after = [], None
    while True:
        body = api.as_("customer_dept").get("/complaints", query_string={
            "q": word, "responsible": role, "sort": "received", "per_page": 1,
            **({"after": after} if after else {})}).get_json()
        walked += [c["number"] for c in body["items"]]
        assert (body["total"], body["total_exact"]) == (3, True)
        after = body["next_after"]
        if after is None:
            break
    assert walked == [c.number for c in cases]
    assert cases[1].complaint()["responsible_person"] == "workshop_supervisor"
