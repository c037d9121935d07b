-- wrk's side of aikom_bench's sections 5 and 6: requests read from a file, the same bytes our
-- client sends, over wrk's connections (run with one wrk thread, -t1).
--
--   wrk -t1 -cN -dD -s requests.lua URL -- REQUESTS_FILE TOKEN once|timed
--
-- REQUESTS_FILE holds one request a line: METHOD<TAB>PATH<TAB>BODY (BODY may be empty; a
-- non-empty one is sent as application/json). TOKEN is the bearer token ("-": none).
--
-- once:  sends every request exactly once, then prints the time from the first request to the
--        answer that completed the set and stops wrk (wrk's own rate divides by its -d duration,
--        idle tail included). Connections that ask for more after the last request repeat it
--        (harmless for GET and PUT); their answers are not counted.
-- timed: cycles through the requests for the -d duration and prints wrk's own figures.
--
-- Either way the first line starting with "aikom-wrk " is JSON: {"requests", "seconds",
-- "failed" (answers outside 2xx), "socket_errors"}. (`done` runs in wrk's main Lua state, which
-- never sees init's arguments: after a `once` run it prints wrk's own figures second.)
local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } aikom_timespec;
int clock_gettime(int clock, aikom_timespec* ts);
int kill(int pid, int sig);
int getpid(void);
]]

local function now()
  local ts = ffi.new("aikom_timespec")
  ffi.C.clock_gettime(1, ts) -- CLOCK_MONOTONIC
  return tonumber(ts.tv_sec) + tonumber(ts.tv_nsec) * 1e-9
end

local list, total, mode = {}, 0, "timed"
local sent, answered, failed, started = 0, 0, 0, nil

function init(args)
  local auth = args[2] ~= "-" and ("Bearer " .. args[2]) or nil
  mode = args[3] or "timed"
  for line in io.lines(args[1]) do
    local method, path, body = line:match("^(%u+)\t([^\t]+)\t(.*)$")
    if method == nil then
      error("requests.lua: a line is not METHOD<TAB>PATH<TAB>BODY")
    end
    local headers = {}
    if auth then headers["Authorization"] = auth end
    if body ~= "" then
      headers["Content-Type"] = "application/json"
    else
      body = nil
    end
    list[#list + 1] = wrk.format(method, path, headers, body)
  end
  total = #list
  if total == 0 then error("requests.lua: no requests") end
end

function request()
  if started == nil then started = now() end
  sent = sent + 1
  if mode == "once" then
    return list[math.min(sent, total)]
  end
  return list[(sent - 1) % total + 1]
end

function response(status, headers, body)
  if mode ~= "once" then return end
  answered = answered + 1
  if status < 200 or status > 299 then failed = failed + 1 end
  if answered == total then
    io.write(string.format('aikom-wrk {"requests":%d,"seconds":%.6f,"failed":%d,"socket_errors":0}\n',
                           total, now() - started, failed))
    io.flush()
    ffi.C.kill(ffi.C.getpid(), 2) -- SIGINT: wrk stops and exits
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('aikom-wrk {"requests":%d,"seconds":%.6f,"failed":%d,"socket_errors":%d}\n',
                         summary.requests, summary.duration / 1e6, e.status,
                         e.connect + e.read + e.write + e.timeout))
end
