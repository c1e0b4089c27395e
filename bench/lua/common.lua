-- Shared helpers for the bench wrk scripts: per-thread ids, status counters, one JSON summary line.
local M = {}
local threads = {}
local nthreads = 0

function M.setup(thread)
  nthreads = nthreads + 1
  thread:set("tid", nthreads)
  table.insert(threads, thread)
end

function M.split(s, sep)
  local out = {}
  if s == nil or s == "" then return out end
  for part in string.gmatch(s, "([^" .. (sep or ",") .. "]+)") do table.insert(out, part) end
  return out
end

function M.lines(path)
  local out = {}
  if path == nil or path == "" then return out end
  for line in io.lines(path) do if line ~= "" then table.insert(out, line) end end
  return out
end

-- Headers for this thread: a session cookie and/or a bearer token, picked by thread id.
function M.headers(tid)
  local h = {}
  local cookies = M.split(os.getenv("BENCH_COOKIES"), ",")
  if #cookies > 0 then h["Cookie"] = cookies[(tid - 1) % #cookies + 1] end
  local tokens = M.split(os.getenv("BENCH_TOKENS"), ",")
  if #tokens > 0 then h["Authorization"] = "Bearer " .. tokens[(tid - 1) % #tokens + 1] end
  return h
end

function M.bump(name, by)
  _G[name] = (_G[name] or 0) + (by or 1)
end

function M.count(status)
  M.bump("s" .. math.floor(status / 100) .. "xx")
end

local KEYS = {"s2xx", "s3xx", "s4xx", "s5xx", "checkouts", "c409", "c422", "c5xx", "items"}

function M.done(summary, latency, requests)
  local totals = {}
  for _, k in ipairs(KEYS) do totals[k] = 0 end
  for _, t in ipairs(threads) do
    for _, k in ipairs(KEYS) do totals[k] = totals[k] + (tonumber(t:get(k)) or 0) end
  end
  local e = summary.errors
  local parts = {}
  for _, k in ipairs(KEYS) do table.insert(parts, string.format('"%s": %d', k, totals[k])) end
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_s": %.4f, "p50_ms": %.3f, "p95_ms": %.3f, "p99_ms": %.3f, ' ..
    '"max_ms": %.3f, "err_connect": %d, "err_read": %d, "err_write": %d, "err_timeout": %d, %s}\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000, e.connect, e.read, e.write, e.timeout,
    table.concat(parts, ", ")))
end

return M
