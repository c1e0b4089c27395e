-- One buyer per thread (run with -t N -c N): PUT its cart, then POST checkout with a fresh
-- Idempotency-Key; repeat. BENCH_SKUS_FILE line i = the space-separated SKUs of thread i.
-- BENCH_BULK=1: the whole cart in one PUT /api/v1/store/cart (an order in two requests);
-- otherwise one PUT per SKU (the old six-request flow).
local c = dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")
setup = c.setup
done = c.done
local skus, hdrs, step, n, qty, run_id, puts, bulk_body

function init(args)
  hdrs = c.headers(tid)
  hdrs["Content-Type"] = "application/json"
  local sets = c.lines(os.getenv("BENCH_SKUS_FILE"))
  skus = c.split(sets[(tid - 1) % #sets + 1], " ")
  qty = os.getenv("BENCH_QTY") or "10"
  run_id = os.getenv("BENCH_RUN_ID") or "0"
  step, n = 0, 0
  puts = #skus
  if os.getenv("BENCH_BULK") == "1" then
    local lines = {}
    for i, sku in ipairs(skus) do lines[i] = '{"sku": "' .. sku .. '", "quantity": ' .. qty .. '}' end
    bulk_body = '{"lines": [' .. table.concat(lines, ", ") .. ']}'
    puts = 1
  end
end

function request()
  if bulk_body and step < puts then
    return wrk.format("PUT", "/api/v1/store/cart", hdrs, bulk_body)
  end
  if step < puts then
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
  if step < puts then
    step = step + 1
    return
  end
  step = 0
  if status == 201 then c.bump("checkouts")
  elseif status == 409 then c.bump("c409")
  elseif status == 422 then c.bump("c422")
  elseif status >= 500 then c.bump("c5xx") end
end
