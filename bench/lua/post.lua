-- POST a small body to the request path (the single-INSERT baseline).
local c = dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")
setup = c.setup
done = c.done
local hdrs

function init(args)
  hdrs = c.headers(tid)
  hdrs["Content-Type"] = "application/json"
end

function request()
  return wrk.format("POST", nil, hdrs, '{"bench": true}')
end

function response(status, headers, body)
  c.count(status)
end
