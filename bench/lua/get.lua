-- GET a random path from BENCH_PATHS_FILE with this thread's session cookie / token.
local c = dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")
setup = c.setup
done = c.done
local paths, hdrs

function init(args)
  paths = c.lines(os.getenv("BENCH_PATHS_FILE"))
  hdrs = c.headers(tid)
  math.randomseed(tid * 7919)
end

function request()
  return wrk.format("GET", paths[math.random(#paths)], hdrs)
end

function response(status, headers, body)
  c.count(status)
end
