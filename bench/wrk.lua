-- wrk script of `make bench`: which requests to send and one machine-readable line at the end.
-- BENCH_COOKIE: the Cookie header of every GET (when BENCH_REQUESTS is not given).
-- BENCH_REQUESTS: a file of requests sent round-robin, one a line, tab-separated: method, path, cookie, body.
-- BENCH_OK: the statuses that count as success, comma-separated (default: any 2xx).
-- The last line printed is `BENCH_RESULT {json}`; latencies in microseconds.

local threads = {}
local counter = 1

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

local requests = {}
local next_request = 1
local ok_statuses = nil
ok_count = 0
bad_count = 0
bad_statuses = {}

local function split(line, sep)
  local fields = {}
  local start = 1
  while true do
    local at = string.find(line, sep, start, true)
    if not at then
      table.insert(fields, string.sub(line, start))
      return fields
    end
    table.insert(fields, string.sub(line, start, at - 1))
    start = at + 1
  end
end

function init(args)
  local okays = os.getenv("BENCH_OK")
  if okays and okays ~= "" then
    ok_statuses = {}
    for _, status in ipairs(split(okays, ",")) do ok_statuses[tonumber(status)] = true end
  end
  local file = os.getenv("BENCH_REQUESTS")
  if file and file ~= "" then
    for line in io.lines(file) do
      if line ~= "" then
        local f = split(line, "\t")
        local headers = {}
        if f[3] ~= "" then headers["Cookie"] = f[3] end
        if f[4] and f[4] ~= "" then headers["Content-Type"] = "application/x-www-form-urlencoded" end
        table.insert(requests, wrk.format(f[1], f[2], headers, f[4] ~= "" and f[4] or nil))
      end
    end
    next_request = ((id or 1) - 1) * 7 % #requests + 1  -- threads start at different lines
  else
    local cookie = os.getenv("BENCH_COOKIE")
    if cookie and cookie ~= "" then wrk.headers["Cookie"] = cookie end
  end
end

if os.getenv("BENCH_REQUESTS") and os.getenv("BENCH_REQUESTS") ~= "" then
  function request()
    local r = requests[next_request]
    next_request = next_request % #requests + 1
    return r
  end
end

function response(status, headers, body)
  local ok
  if ok_statuses then ok = ok_statuses[status] ~= nil else ok = status >= 200 and status < 300 end
  if ok then
    ok_count = ok_count + 1
  else
    bad_count = bad_count + 1
    bad_statuses[status] = (bad_statuses[status] or 0) + 1
  end
end

function done(summary, latency, requests)
  local ok, bad, statuses = 0, 0, {}
  for _, thread in ipairs(threads) do
    ok = ok + thread:get("ok_count")
    bad = bad + thread:get("bad_count")
    for status, n in pairs(thread:get("bad_statuses")) do statuses[status] = (statuses[status] or 0) + n end
  end
  local parts = {}
  for status, n in pairs(statuses) do table.insert(parts, string.format('"%d": %d', status, n)) end
  local e = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"requests": %d, "duration_us": %d, "bytes": %d, "ok": %d, "bad": %d, "bad_statuses": {%s}, ' ..
    '"socket_errors": %d, "timeouts": %d, "p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d, "mean_us": %.1f}\n',
    summary.requests, summary.duration, summary.bytes, ok, bad, table.concat(parts, ", "),
    e.connect + e.read + e.write, e.timeout, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, latency.mean))
end
