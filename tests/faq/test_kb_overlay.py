"""The knowledge base in use is faq/data with staff revisions on top, validated by the one function
the files go through; `legalaid faq export` writes it back as files that read back the same."""

from __future__ import annotations

import shutil

import pytest

from faq.export import export
from faq.kb import KnowledgeBaseError, RawEntry, default_dir, load_kb, overlaid, read_files, validate


def revised(entry_id: str, where: str = "revision 1", **changes) -> RawEntry:
    body = load_kb().get(entry_id).model_dump(mode="json") | changes
    return RawEntry(where, "", body)


def new_entry(entry_id: str = "staff_added", audience: str = "public", **changes) -> RawEntry:
    body = {
        "id": entry_id, "audience": audience, "question": "工作人员新加的问题？",
        "phrasings": ["新问法一", "新问法二", "新问法三", "新问法四", "新问法五", "新问法六"],
        "answer": "按衢市司发〔2020〕3号 三 的规定办理。", "source": "衢市司发〔2020〕3号 三",
    } | changes
    return RawEntry("revision 2", "", body)


def test_a_revision_replaces_its_entry_in_place_and_keeps_its_file():
    base = read_files()
    at = [i for i, item in enumerate(base) if item.data["id"] == "document_drafting"][0]
    merged = overlaid(base, [revised("document_drafting", answer="改过的回答。")])
    assert len(merged) == len(base)
    assert merged[at].data["answer"] == "改过的回答。"
    assert (merged[at].where, merged[at].file) == ("revision 1", base[at].file)


def test_a_new_entry_is_added_at_the_end():
    kb = load_kb(None, [new_entry()])
    assert kb.entries[-1].id == "staff_added" and len(kb) == len(load_kb()) + 1


def test_the_merged_set_is_validated_exactly_as_the_files_are():
    base = read_files()
    assert validate(base).by_id == load_kb().by_id
    taken = load_kb().get("legal_aid_free").phrasings[0]
    drafting = load_kb().get("document_drafting")
    with pytest.raises(KnowledgeBaseError, match="is also in") as err:
        load_kb(None, [revised("document_drafting", phrasings=[*drafting.phrasings, taken])])
    assert "document_drafting" in str(err.value)


@pytest.mark.parametrize(("changes", "field"), [
    ({"source": "网上看到的"}, "source"),  # nothing invented: 3号 or 4号 and a clause
    ({"phrasings": ["一", "二"]}, "phrasings"),
    ({"related": ["nowhere"]}, "related"),
])
def test_a_revision_that_breaks_a_rule_names_itself_and_the_field(changes, field):
    with pytest.raises(KnowledgeBaseError) as err:
        load_kb(None, [revised("document_drafting", where="revision 7", **changes)])
    assert field in str(err.value)
    assert field == "related" or "revision 7" in str(err.value)


def test_exporting_the_files_alone_writes_them_back_byte_for_byte(tmp_path):
    export(load_kb(), tmp_path)
    for path in default_dir().glob("*.yaml"):
        assert (tmp_path / path.name).read_text("utf-8") == path.read_text("utf-8")


def test_exported_edits_read_back_as_the_knowledge_base_in_use(tmp_path):
    drafting = load_kb().get("document_drafting")
    kb = load_kb(None, [revised("document_drafting", phrasings=[*drafting.phrasings, "帮老人写材料要钱不"],
                                answer="第一行。\n第二行：含冒号 # 和井号。"),
                        new_entry(audience="lawyer", related=["document_drafting"])])
    written = export(kb, tmp_path / "out")
    assert sorted(p.name for p in written) == ["lawyer.yaml", "public.yaml"]
    again = load_kb(tmp_path / "out")
    assert again.by_id == kb.by_id
    lawyer_file = (tmp_path / "out" / "lawyer.yaml").read_text("utf-8")
    assert "- id: staff_added" in lawyer_file and "related: [document_drafting]" in lawyer_file
    # The comments at the top of each file stay.
    assert lawyer_file.startswith((default_dir() / "lawyer.yaml").read_text("utf-8").splitlines()[0])


def test_an_export_into_the_source_folder_keeps_what_nobody_changed(tmp_path):
    folder = tmp_path / "data"
    shutil.copytree(default_dir(), folder)
    kb = load_kb(folder, [revised("document_drafting", answer="改过的回答。")])
    export(kb, folder, folder)
    public = (folder / "public.yaml").read_text("utf-8")
    assert "改过的回答。" in public
    assert load_kb(folder).by_id == kb.by_id


def test_a_file_is_parsed_once_until_it_changes_and_each_reader_gets_its_own_copy(tmp_path):
    folder = tmp_path / "faq"
    shutil.copytree(default_dir(), folder)
    first = read_files(folder)
    first[0].data["answer"] = "一个读者改了它拿到的。"
    assert read_files(folder)[0].data["answer"] != "一个读者改了它拿到的。"
    edited = folder / first[0].where
    edited.write_text(edited.read_text(encoding="utf-8").replace(first[1].data["question"], "改过的问题？", 1),
                      encoding="utf-8")
    assert read_files(folder)[1].data["question"] == "改过的问题？"
