#pragma once

#include <atomic>
#include <memory>

namespace spyglass {

// Shared flag a caller sets to stop long work on another thread. Copies share
// the flag; a default-constructed token is never cancelled by anyone else.
class CancelToken
{
public:
    CancelToken() : m_flag(std::make_shared<std::atomic<bool>>(false)) {}
    void cancel() const { m_flag->store(true, std::memory_order_relaxed); }
    bool isCancelled() const { return m_flag->load(std::memory_order_relaxed); }

private:
    std::shared_ptr<std::atomic<bool>> m_flag;
};

} // namespace spyglass
