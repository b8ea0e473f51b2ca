-- auth-chaos wrk script: POST /auth/login, cycling through the account pool bench0000...
-- args: ACCOUNTS PASSWORD. Any answer but 200 is counted as unexpected.
local threads = {}

function setup(thread)
   table.insert(threads, thread)
end

function init(args)
   accounts = tonumber(args[1])
   password = args[2]
   counter = 0
   checked = 0
   unexpected = 0
   wrk.method = "POST"
   wrk.headers["Content-Type"] = "application/json"
end

function request()
   counter = counter + 1
   local body = string.format('{"username":"bench%04d","password":"%s"}', counter % accounts, password)
   return wrk.format(nil, "/auth/login", nil, body)
end

function response(status, headers, body)
   checked = checked + 1
   if status ~= 200 then
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
