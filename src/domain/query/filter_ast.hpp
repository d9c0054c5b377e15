// Abstract syntax of the ?filter= language (see filter_parser.hpp for the grammar).
// Storage engines compile this tree into parameterised SQL; field names are checked against
// the EntitySchema before they reach an engine.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/result.hpp"

namespace relais::domain {

enum class CompareOp { kEq, kNe, kLt, kLe, kGt, kGe, kContains, kIn, kIsEmpty, kIsNotEmpty };

struct FilterNode;
using FilterPtr = std::shared_ptr<const FilterNode>;

struct FilterNode {
  enum class Kind { kAnd, kOr, kNot, kCompare } kind = Kind::kCompare;
  std::vector<FilterPtr> children;  // kAnd/kOr: 2+, kNot: 1
  // kCompare:
  std::string field;
  CompareOp op = CompareOp::kEq;
  Json value;  // string, number, bool, null; array for kIn. Already typed per the field
               // (dates as "YYYY-MM-DD" strings, money as integer minor units).
};

}  // namespace relais::domain
