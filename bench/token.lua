-- POST /oauth2/token, client-credentials grant; the client authenticates
-- with the Basic header bench/run passes with -H.
wrk.method = "POST"
wrk.body = "grant_type=client_credentials"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
