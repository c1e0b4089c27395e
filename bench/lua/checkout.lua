-- One buyer per thread (run with -t N -c N): PUT each SKU of its cart, then POST checkout with a
-- fresh Idempotency-Key; repeat. BENCH_SKUS_FILE line i = the space-separated SKUs of thread i.
local c = dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")
setup = c.setup
done = c.done
local skus, hdrs, step, n, qty, run_id

function init(args)
  hdrs = c.headers(tid)
  hdrs["Content-Type"] = "application/json"
  local sets = c.lines(os.getenv("BENCH_SKUS_FILE"))
  skus = c.split(sets[(tid - 1) % #sets + 1], " ")
  qty = os.getenv("BENCH_QTY") or "10"
  run_id = os.getenv("BENCH_RUN_ID") or "0"
  step, n = 0, 0
end

function request()
  if step < #skus then
    return wrk.format("PUT", "/api/v1/store/cart/items/" .. skus[step + 1], hdrs, '{"quantity": ' .. qty .. '}')
  end
  n = n + 1
  local h = {}
  for k, v in pairs(hdrs) do h[k] = v end
  h["Idempotency-Key"] = "bench-" .. run_id .. "-" .. tid .. "-" .. n
  return wrk.format("POST", "/api/v1/store/checkout", h, "{}")
end

function response(status, headers, body)
  c.count(status)
  if step < #skus then
    step = step + 1
    return
  end
  step = 0
  if status == 201 then c.bump("checkouts")
  elseif status == 409 then c.bump("c409")
  elseif status == 422 then c.bump("c422")
  elseif status >= 500 then c.bump("c5xx") end
end
