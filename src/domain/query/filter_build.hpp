// Building filter trees in code (services looking up related records). Field names here are
// compile-time constants from the schemas, never user input.
#pragma once

#include <memory>
#include <string>
#include <utility>

#include "domain/query/filter_ast.hpp"

namespace relais::domain {

inline FilterPtr filter_eq(std::string field, Json value) {
  auto n = std::make_shared<FilterNode>();
  n->kind = FilterNode::Kind::kCompare;
  n->field = std::move(field);
  n->op = CompareOp::kEq;
  n->value = std::move(value);
  return n;
}

inline FilterPtr filter_in(std::string field, Json values) {
  auto n = std::make_shared<FilterNode>();
  n->kind = FilterNode::Kind::kCompare;
  n->field = std::move(field);
  n->op = CompareOp::kIn;
  n->value = std::move(values);
  return n;
}

inline FilterPtr filter_and(FilterPtr a, FilterPtr b) {
  auto n = std::make_shared<FilterNode>();
  n->kind = FilterNode::Kind::kAnd;
  n->children = {std::move(a), std::move(b)};
  return n;
}

}  // namespace relais::domain
