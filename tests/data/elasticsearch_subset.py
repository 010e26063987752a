"""Write the part of Elastic's OpenAPI description that the contract tests use.

    .venv/bin/python -m tests.data.elasticsearch_subset FULL.json

FULL.json is `output/openapi/elasticsearch-serverless-openapi.json` of the public repository
elastic/elasticsearch-specification (Apache 2.0; see tests/data/README.md). The subset keeps
the request bodies of the APIs KX calls and every schema they reference, unchanged, so
validating against it is validating against the published description.
"""

import gzip
import json
import sys
from pathlib import Path

SUBSET = Path(__file__).with_name("elasticsearch-openapi-subset.json.gz")
APIS = ("search", "count", "bulk", "indices.create", "indices.update_aliases")
# Schemas the tests make strict (no unknown keys) or adjust by name.
STRICT_SCHEMAS = (
    "_types.query_dsl.QueryContainer",
    "_types.query_dsl.BoolQuery",
    "_types.query_dsl.MultiMatchQuery",
    "_types.query_dsl.TermQuery",
    "_types.query_dsl.ConstantScoreQuery",
    "_types.query_dsl.MatchAllQuery",
    "_types.query_dsl.MatchNoneQuery",
    "_global.search._types.FieldCollapse",
    "_global.search._types.InnerHits",
    "_global.search._types.Highlight",
    "_global.search._types.HighlightField",
    "_global.search._types.SourceFilter",
    "_types.aggregations.AggregationContainer",
    "_types.aggregations.TermsAggregation",
    "_types.aggregations.CardinalityAggregation",
    "indices.update_aliases.Action",
    "indices.update_aliases.AddAction",
    "indices.update_aliases.RemoveAction",
    "indices._types.Alias",
    "_types.mapping.TypeMapping",
    "_types.mapping.TextProperty",
    "_types.mapping.KeywordProperty",
    "_types.mapping.CompletionProperty",
    "_global.bulk.OperationContainer",
    "_global.bulk.IndexOperation",
    "_global.bulk.CreateOperation",
    "_global.bulk.DeleteOperation",
)
EXTRA_SCHEMAS = ("_types.aggregations.AggregationContainer",)


def references(node):
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/"):
            yield tuple(ref[2:].split("/"))
        for value in node.values():
            yield from references(value)
    elif isinstance(node, list):
        for value in node:
            yield from references(value)


def subset(spec, extra_schemas=()):
    components = spec["components"]
    kept = {"openapi": spec["openapi"], "info": spec["info"], "paths": {}, "components": {}}
    todo = []
    for name in APIS:
        if name in components.get("requestBodies", {}):
            todo.append(("components", "requestBodies", name))
            continue
        operation_id = name.replace(".", "-").replace("_", "-")
        for path, operations in spec["paths"].items():
            for method, operation in operations.items():
                if isinstance(operation, dict) and operation.get("operationId") == operation_id:
                    kept["paths"].setdefault(path, {})[method] = operation
                    todo.extend(references(operation))
    todo.extend(("components", "schemas", name) for name in extra_schemas)
    seen = set()
    while todo:
        key = todo.pop()
        if key in seen:
            continue
        seen.add(key)
        _, section, name = key
        node = components[section][name]
        kept["components"].setdefault(section, {})[name] = node
        todo.extend(references(node))
    return kept


def main(argv):
    if len(argv) != 2:
        sys.exit("usage: python -m tests.data.elasticsearch_subset FULL.json")
    spec = json.loads(Path(argv[1]).read_text(encoding="utf-8"))
    data = json.dumps(subset(spec, EXTRA_SCHEMAS + STRICT_SCHEMAS), sort_keys=True)
    with open(SUBSET, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as out:
        out.write(data.encode("utf-8"))  # mtime 0: the same description, the same bytes
    print(f"{SUBSET}: {len(data):,} characters, {SUBSET.stat().st_size:,} bytes compressed")


if __name__ == "__main__":
    main(sys.argv)
