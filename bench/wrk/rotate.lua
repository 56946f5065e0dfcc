-- One request kind (BENCH_KIND), rotating across the users bench.py wrote to BENCH_DATA.
--
-- Each request takes the next user's Cookie, X-CSRF-Token, bearer token and one of their
-- task ids, so no single session, row or page stays hot. "mixed" cycles through all five
-- kinds; "path" loads BENCH_PATH (as each user in turn). done() prints one JSON line for
-- bench/wrkrun.py (wrk counts any status >= 400 in errors.status).

local data = dofile(os.getenv("BENCH_DATA"))
local kind = os.getenv("BENCH_KIND")
local fixed_path = os.getenv("BENCH_PATH")
local users = data.users
local current_url = "http://" .. data.host .. "/tasks"
local mix = { "list", "row", "create", "toggle", "api" }
local n = 0

local function htmx(user)
  return {
    ["Cookie"] = user.cookie,
    ["HX-Request"] = "true",
    ["HX-Request-Type"] = "partial",
    ["HX-Current-URL"] = current_url,
    ["X-CSRF-Token"] = user.csrf,
  }
end

local form = "application/x-www-form-urlencoded"

local build = {
  list = function(user)
    return wrk.format("GET", "/tasks", { ["Cookie"] = user.cookie })
  end,
  path = function(user)
    return wrk.format("GET", fixed_path, { ["Cookie"] = user.cookie })
  end,
  row = function(user, task)
    return wrk.format("GET", "/tasks/" .. task, htmx(user))
  end,
  create = function(user)
    local headers = htmx(user)
    headers["Content-Type"] = form
    return wrk.format("POST", "/tasks", headers, data.create_body)
  end,
  toggle = function(user, task, pass)
    -- A full pass over every (user, task) flips the value, so each task alternates.
    local headers = htmx(user)
    headers["Content-Type"] = form
    local value = (pass % 2 == 0) and "true" or "false"
    return wrk.format("POST", "/tasks/" .. task .. "/toggle", headers, "completed=" .. value)
  end,
  api = function(user)
    local headers = { ["Authorization"] = "Bearer " .. user.bearer }
    return wrk.format("GET", "/api/" .. user.uid .. "/tasks/", headers)
  end,
}

function request()
  local i = n % #users
  local round = math.floor(n / #users)
  local user = users[i + 1]
  local task = user.tasks[(round % #user.tasks) + 1]
  local pass = math.floor(round / #user.tasks)
  local k = kind
  if kind == "mixed" then
    k = mix[((i + round) % #mix) + 1] -- each user meets every kind, pass after pass
  end
  n = n + 1
  return build[k](user, task, pass)
end

function done(summary, latency, requests)
  local e = summary.errors
  local f = math.floor
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "bytes": %d, "connect": %d, "read": %d, '
      .. '"write": %d, "status": %d, "timeout": %d, "p50_us": %d, "p90_us": %d, '
      .. '"p99_us": %d, "max_us": %d}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status,
    e.timeout, f(latency:percentile(50)), f(latency:percentile(90)),
    f(latency:percentile(99)), f(latency.max)
  ))
end
