// The record types as GET /api/v1/schema describes them to clients (the web UI builds its
// forms, list columns, filters and validation from this answer): every EntitySchema of
// all_schemas(), field by field, plus what is per installation (custom field definitions)
// and per actor (access, import fields). The OpenAPI document (openapi.cpp) is built from the
// same declarations; tests/integration/test_schema.py checks that both agree.
#pragma once

#include <vector>

#include "common/result.hpp"
#include "domain/actor.hpp"
#include "domain/schema/entity_schema.hpp"

namespace relais::api {

// {"name", "type", "label": {"en", "fr"}, "required", "read_only", "searchable", "sortable",
//  "filterable", "text_format"?, "max_length"?, "max_items"?, "enum_values"?, "references"?,
//  "references_plural"?, "default"?}
Json field_json(const domain::FieldDef& field);

// One record type: {"name", "plural", "owned", "has_timeline", "on_timeline", "exportable",
// "importable", "fields": [...]} — without the per-installation and per-actor parts.
Json entity_json(const domain::EntitySchema& schema);

// The "access" member for `actor`: {"read": "none"|"scope"|"all", "write": ..., "create",
// "list"} (domain/auth/permissions.hpp).
Json access_json(const domain::Actor& actor, const domain::EntitySchema& schema);

// A custom field definition record as the schema lists it: {"key", "label", "type",
// "options", "required"}.
Json custom_field_json(const Json& definition);

}  // namespace relais::api
