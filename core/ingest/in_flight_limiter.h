#pragma once

#include <atomic>

namespace spyglass::ingest {

// Bounds how many requests are decoded and committed at once. Over the
// bound a receiver answers "retry later" (HTTP 429, gRPC UNAVAILABLE)
// instead of queueing bodies in memory: senders back off, memory stays flat.
class InFlightLimiter
{
public:
    explicit InFlightLimiter(int limit) : m_limit(limit) {}

    class Permit
    {
    public:
        explicit Permit(InFlightLimiter *l) : m_l(l) {}
        Permit(Permit &&o) noexcept : m_l(o.m_l) { o.m_l = nullptr; }
        Permit(const Permit &) = delete;
        ~Permit()
        {
            if (m_l)
                m_l->m_count.fetch_sub(1, std::memory_order_acq_rel);
        }
        explicit operator bool() const { return m_l != nullptr; }

    private:
        InFlightLimiter *m_l;
    };

    // An empty permit when the limit is reached.
    Permit tryAcquire()
    {
        int cur = m_count.load(std::memory_order_acquire);
        while (cur < m_limit)
            if (m_count.compare_exchange_weak(cur, cur + 1, std::memory_order_acq_rel))
                return Permit(this);
        return Permit(nullptr);
    }

    int inFlight() const { return m_count.load(std::memory_order_acquire); }
    int limit() const { return m_limit; }

private:
    const int m_limit;
    std::atomic<int> m_count{0};
};

} // namespace spyglass::ingest
