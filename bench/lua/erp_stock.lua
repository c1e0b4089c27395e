-- ERP bulk stock: POST /api/v1/erp/stock with BENCH_BATCH items per request; each thread walks its
-- own SKU block (no two connections touch the same rows), with new on_hand figures every round.
local c = dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")
setup = c.setup
done = c.done
local hdrs, batch, first, block, n

function init(args)
  hdrs = c.headers(tid)
  hdrs["Content-Type"] = "application/json"
  batch = tonumber(os.getenv("BENCH_BATCH") or "500")
  local products = tonumber(os.getenv("BENCH_PRODUCTS") or "50000")
  local nthreads = tonumber(os.getenv("BENCH_THREADS") or "1")
  block = math.floor(products / nthreads)
  first = (tid - 1) * block + 1
  n = 0
end

function request()
  n = n + 1
  local start = first + ((n - 1) * batch) % (block - batch + 1)
  local items = {}
  for k = 0, batch - 1 do
    items[k + 1] = string.format('{"sku":"B%06d","on_hand":%d}', start + k, 900000 + (n * 7 + k) % 1000)
  end
  return wrk.format("POST", "/api/v1/erp/stock", hdrs, '{"items":[' .. table.concat(items, ",") .. ']}')
end

function response(status, headers, body)
  c.count(status)
  if status == 200 then c.bump("items", batch) end
end
