-- auth-chaos wrk script: every response checked against what the contract promises.
-- args, one fixed request (wrk.init formats it once):
--   fixed METHOD PATH TOKEN("-" for none) EXPECT_STATUS EXPECT_REVOCATION_CHECK("-" for none) [BODY]
-- args, POST /auth/login cycling through the account pool bench0000..., expecting 200:
--   login ACCOUNTS PASSWORD
local threads = {}

function setup(thread)
   table.insert(threads, thread)
end

local function init_fixed(args)
   wrk.method = args[2]
   wrk.path = args[3]
   if args[4] ~= "-" then
      wrk.headers["Authorization"] = "Bearer " .. args[4]
   end
   expect_status = tonumber(args[5])
   expect_check = args[6]
   if args[7] then
      wrk.body = args[7]
      wrk.headers["Content-Type"] = "application/json"
   end
end

local function init_login(args)
   local accounts, password, counter = tonumber(args[2]), args[3], 0
   wrk.method = "POST"
   wrk.headers["Content-Type"] = "application/json"
   expect_status = 200
   expect_check = "-"
   -- defined only in this mode: wrk formats a request per call only when `request` exists
   request = function()
      counter = counter + 1
      local body = string.format('{"username":"bench%04d","password":"%s"}', counter % accounts, password)
      return wrk.format(nil, "/auth/login", nil, body)
   end
end

function init(args)
   if args[1] == "login" then
      init_login(args)
   else
      init_fixed(args)
   end
   checked = 0
   unexpected = 0
end

function response(status, headers, body)
   checked = checked + 1
   local ok = status == expect_status
   if ok and expect_check ~= "-" then
      local seen = headers["x-revocation-check"] or headers["X-Revocation-Check"]
      ok = seen == expect_check
   end
   if not ok then
      unexpected = unexpected + 1
   end
end

function done(summary, latency, requests)
   local c, u = 0, 0
   for _, t in ipairs(threads) do
      c = c + t:get("checked")
      u = u + t:get("unexpected")
   end
   io.write(string.format("auth-chaos: checked=%d unexpected=%d\n", c, u))
end
