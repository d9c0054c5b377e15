#include "domain/blobs/blob_store.hpp"

#include <vector>

namespace relais::domain {

bool is_blob_digest(std::string_view digest) {
  if (digest.size() != kBlobDigestHexSize) return false;
  for (const char c : digest) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

Result<BlobInfo> BlobStore::write(const BlobSource& source) {
  constexpr std::size_t kBuffer = 64 * 1024;
  std::vector<char> buffer(kBuffer);
  auto writer = open_writer();
  for (;;) {
    RELAIS_ASSIGN_OR_RETURN(std::size_t n, source(buffer.data(), buffer.size()));
    if (n == 0) break;
    RELAIS_TRY(writer->append(std::string_view(buffer.data(), n)));
  }
  return writer->finish();
}

Result<BlobInfo> BlobStore::write_bytes(std::string_view bytes) {
  auto writer = open_writer();
  RELAIS_TRY(writer->append(bytes));
  return writer->finish();
}

Result<std::string> BlobStore::read_all(const std::string& digest) {
  std::string out;
  RELAIS_TRY(read(digest, ByteRange{}, [&](std::string_view bytes) -> Result<void> {
    out.append(bytes);
    return {};
  }));
  return out;
}

}  // namespace relais::domain
