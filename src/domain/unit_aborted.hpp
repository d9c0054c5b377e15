// The mark of an exception that aborts a whole unit of work: the engine must roll it back and
// run it again (PostgreSQL: serialization failure, deadlock) or cannot go on (connection
// lost). Not a std::exception of its own: engines throw their error types deriving from it as
// well. Code inside a unit of work that catches exceptions (a job runner around a handler)
// must let it through untouched, before any `catch (const std::exception&)`:
//   catch (const domain::UnitAborted&) { throw; }
#pragma once

namespace relais::domain {

struct UnitAborted {
  virtual ~UnitAborted() = default;
};

}  // namespace relais::domain
