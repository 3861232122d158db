// name: tie_trends
// purpose: trends: dated observations of one relationship type per month inside a window (weight and amount summed)
// parameters: $since, $until
MATCH ()-[r:{{type}}]->()
UNWIND range(0, size(r.obs_dates) - 1) AS i
WITH r.obs_dates[i] AS date, r.obs_weights[i] AS weight, r.obs_amounts[i] AS amount
WHERE date <> '' AND ($since IS NULL OR date >= $since) AND ($until IS NULL OR date <= $until)
RETURN substring(date, 0, 7) AS month, count(*) AS observations, sum(weight) AS weight,
       sum(amount) AS amount
ORDER BY month
