"""The command line: stable JSON shapes, clear errors and exit codes."""

from __future__ import annotations

import json

import yaml
from click.testing import CliRunner

from indexer.cli import main


def write_config(tmp_path, cfg) -> str:
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump({
        "corpus_dir": str(cfg.corpus_dir), "index_dir": str(cfg.index_dir),
        "embedding": {"backend": "fake", "model": "bigram-hash"},
    }), encoding="utf-8")
    return str(path)


def test_outline_json_shape(tmp_path, fake_cfg):
    result = CliRunner().invoke(main, ["--config", write_config(tmp_path, fake_cfg), "outline",
                                       "huaihua-14th-five-year-plan", "--json"])
    assert result.exit_code == 0
    roots = json.loads(result.output)
    node = next(n for n in roots if n["level"] == "pian")
    assert {"title", "level", "start", "children"} <= set(node)
    assert node["title"] == "第一篇 全面建成小康社会，开启全面建设社会主义现代化新征程"


def test_outline_text(tmp_path, fake_cfg):
    result = CliRunner().invoke(main, ["--config", write_config(tmp_path, fake_cfg), "outline",
                                       "yueyang-14th-five-year-plan"])
    assert result.exit_code == 0 and "乘势而上 开启现代化省域副中心城市建设新征程" in result.output


def test_passages_json_shape(tmp_path, fake_cfg):
    result = CliRunner().invoke(main, ["--config", write_config(tmp_path, fake_cfg), "passages",
                                       "changde-2021-government-work-report", "--json"])
    rows = json.loads(result.output)
    assert {"passage_id", "kind", "start", "end", "text", "section_path"} <= set(rows[0])


def test_search_json_is_the_api_shape(tmp_path, fake_cfg):
    result = CliRunner().invoke(main, ["--config", write_config(tmp_path, fake_cfg), "search", "城市大脑",
                                       "--json", "--k", "3"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    assert body["k"] == 3 and len(body["results"]) == 3 and body["results"][0]["citation"]


def test_search_human_output(tmp_path, fake_cfg):
    result = CliRunner().invoke(main, ["--config", write_config(tmp_path, fake_cfg), "search", "城市大脑"])
    assert result.exit_code == 0 and "《常德市" in result.output


def test_unknown_document_exits_2_with_a_message(tmp_path, fake_cfg):
    result = CliRunner().invoke(main, ["--config", write_config(tmp_path, fake_cfg), "outline", "nope"])
    assert result.exit_code == 2 and "unknown document 'nope'" in result.output


def test_search_without_index_says_how_to_build_one(tmp_path, fake_cfg):
    cfg_path = tmp_path / "config.yaml"
    cfg_path.write_text(yaml.safe_dump({"corpus_dir": str(fake_cfg.corpus_dir),
                                        "index_dir": str(tmp_path / "none"),
                                        "embedding": {"backend": "fake"}}), encoding="utf-8")
    result = CliRunner().invoke(main, ["--config", str(cfg_path), "search", "x"])
    assert result.exit_code == 4 and "plansearch index" in result.output


def test_bad_config_is_a_clear_error(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("embedding: {backend: magic}\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["--config", str(bad), "outline", "x"])
    assert result.exit_code == 2 and "embedding.backend" in result.output


def test_eval_prints_the_table(tmp_path, fake_cfg):
    qrels = tmp_path / "q.jsonl"
    qrels.write_text(json.dumps({"id": "t1", "query": "城陵矶新港区", "kind": "keyword", "answers": [
        {"doc": "yueyang-14th-five-year-plan.txt", "all": ["城陵矶新港区"]}]}, ensure_ascii=False) + "\n",
        encoding="utf-8")
    result = CliRunner().invoke(main, ["--config", write_config(tmp_path, fake_cfg), "eval", str(qrels),
                                       "--mode", "bm25"])
    assert result.exit_code == 0, result.output
    assert "keyword" in result.output and "1.000" in result.output


def test_indicators_csv_is_the_pages_export_without_the_bom(tmp_path, fake_cfg, client):
    import csv
    import io

    from indexer.indicators.sheet import CSV_BOM

    result = CliRunner().invoke(main, ["--config", write_config(tmp_path, fake_cfg), "indicators", "GDP", "--csv"])
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.stdout)))
    page = client.get("/indicators.csv", query_string={"q": "GDP"}).get_data(as_text=True).removeprefix(CSV_BOM)
    strip_links = [row[:-1] for row in csv.reader(io.StringIO(page))]
    assert [row[:-1] for row in rows] == strip_links and len(rows) > 5
    assert rows[1][-1].endswith(f"/doc/{rows[1][2]}#{rows[1][-2]}")


def test_indicators_unmatched_lists_the_names_the_synonyms_miss(tmp_path, fake_cfg):
    result = CliRunner().invoke(main, ["--config", write_config(tmp_path, fake_cfg), "indicators", "--unmatched"])
    assert result.exit_code == 0, result.output
    lines = [line.split("\t") for line in result.stdout.splitlines()]
    assert all(count.isdigit() for count, _ in lines) and ["1", "5岁以下儿童死亡率（‰）"] in lines
    assert not any(name.startswith(("地区生产总值", "单位GDP能耗")) for _, name in lines)
    assert "printed names matched nothing" in result.stderr
