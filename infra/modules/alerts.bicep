// Alerts to one e-mail address, as log search alerts on the Application Insights component (the Functions host's
// own telemetry, so nothing extra is collected or paid for at ingestion):
// - a message moved to any poison queue. Storage queue metrics cannot do this: QueueMessageCount is one capacity
//   figure for the whole account, hourly, with no queue-name dimension. Resource logs of the queue service
//   (StorageQueueLogs) could, but they would log every poll of every trigger queue and cost money while idle. The
//   host itself logs a warning each time it moves a message ("Message has reached MaxDequeueCount of 5. Moving
//   message to queue '<queue>-poison'."); the alert counts those per poison queue. A poison queue that only another
//   app's trigger feeds (billing-notifications-poison, by the product's consumer) is that app's to watch; the admin
//   endpoint GET /api/billing/admin/poison lists what sits in the app's own poison queues.
// - failed function invocations (queue, timer and HTTP), per function. A refusal (4xx) is a successful invocation; an
//   HTTP invocation whose caller went away fails (the worker's middleware rethrows, and the host fails any invocation
//   whose forwarding broke: azure-functions-host DefaultHttpProxyService.EnsureSuccessfulForwardingAsync), recorded
//   with resultCode 400 (YARP's HttpForwarder answers a request the client cancelled with 400): not an incident, so
//   the query leaves out failures recorded 4xx;
// - the share of HTTP requests answered 5xx, over a minimum number of requests;
// - errors the app logs for an operator, per function: a paid purchase not granted, a period that cannot be invoiced,
//   a Stripe key of another account, an unexpected 500, ... Such an invocation ends successfully (no retry, no poison
//   message, often no 5xx), so the log line is all there is. The host logs a line the worker sends during an
//   invocation under the category Function.<Name>.User at the worker's level, with only its formatted message (the
//   worker's own category and properties are not kept: azure-functions-host GrpcWorkerChannel.Log); its own lines
//   about a function (Function.<Name>, e.g. "Executed ... (Failed)") are the failure alert's, and so is the worker's
//   own line for an invocation that threw ("Function '<Name>', Invocation id '<id>': An exception was thrown by the
//   invocation.", a user line of azure-functions-dotnet-worker FunctionsApplication.Log.InvocationError, also written
//   for an HTTP call whose caller went away), which the query leaves out;
// - a timer that has not run for longer than its schedule allows, per timer. A timer that stops firing records
//   nothing, so no other alert can see it: on Flex Consumption timers have stopped for good after a deployment
//   (Azure/azure-functions-host#11828), and runs killed within a minute (#10527) leave no result if the process goes;
//   an invalid schedule or a lost singleton lease stops one too. Its last run is its last requests row, failed or not
//   (failures are the failure alert's); a timer with no row in the two days the rule reads counts from the app's
//   oldest invocation in them (the requests table only: a log search alert may not use union), so a new deployment is
//   not reported before its timers had their chance, and an app with no invocation for two days reports nothing.
// - and, on the Log Analytics workspace, a logical partition of Cosmos DB growing towards its 20 GB limit (the
//   PartitionKeyStatistics resource log that cosmos.bicep sends there): past the limit every write into it fails.

param namePrefix string
param location string
param tags object
param applicationInsightsId string

@description('The Log Analytics workspace that receives Cosmos DB\'s PartitionKeyStatistics resource log.')
param workspaceId string

@description('Where alerts are sent.')
param alertEmail string

@description('Alert when a logical partition of Cosmos DB holds more than this many GB (data and index); Cosmos DB refuses writes into one at 20 GB.')
@minValue(1)
@maxValue(19)
param partitionSizeAlertGb int = 15

@description('Alert when more than this percentage of HTTP requests in 15 minutes are answered with a 5xx status.')
@minValue(1)
@maxValue(100)
param http5xxPercentThreshold int

@description('The 5xx rate alert needs at least this many HTTP requests in the window (a single error at night is not a rate).')
@minValue(1)
param http5xxMinimumRequests int

@description('Each timer function by name, with the hours without a run after which it is reported (1 to 47: the rule reads two days).')
param timerSilenceHours object

var timerTable = join(map(items(timerSilenceHours), t => '"${t.key}", ${t.value}.0'), ', ')

resource actionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = {
  name: '${namePrefix}-alerts'
  location: 'global'
  tags: tags
  properties: {
    groupShortName: 'billing'
    enabled: true
    emailReceivers: [
      {
        name: 'operator'
        emailAddress: alertEmail
        useCommonAlertSchema: true
      }
    ]
  }
}

var rules = [
  {
    name: '${namePrefix}-poison-messages'
    displayName: 'Billing: messages moved to a poison queue'
    description: 'A queue message failed maxDequeueCount (5) times and was moved to <queue>-poison. List and replay with GET/POST /api/billing/admin/poison (docs/webhooks.md).'
    severity: 1
    query: 'traces\n| where message startswith "Message has reached MaxDequeueCount"\n| extend PoisonQueue = extract(@"queue \'([^\']+)\'", 1, message)\n| summarize Messages = count() by PoisonQueue'
    measure: 'Messages'
    aggregation: 'Total'
    threshold: 0
    dimension: 'PoisonQueue'
    scope: applicationInsightsId
    frequency: 'PT15M'
    window: 'PT15M'
  }
  {
    name: '${namePrefix}-function-failures'
    displayName: 'Billing: function invocations failed'
    description: 'Queue or timer invocations that failed (an exception, which the host retries). HTTP functions answer their own failures as 5xx problem details: the 5xx rate alert counts those.'
    severity: 2
    query: 'requests\n| where success == false and not(resultCode startswith "4")\n| summarize Failures = count() by Function = operation_Name'
    measure: 'Failures'
    aggregation: 'Total'
    threshold: 0
    dimension: 'Function'
    scope: applicationInsightsId
    frequency: 'PT15M'
    window: 'PT15M'
  }
  {
    name: '${namePrefix}-http-5xx-rate'
    displayName: 'Billing: HTTP 5xx rate'
    description: 'More than ${http5xxPercentThreshold}% of HTTP requests answered with a 5xx status (Stripe or Cosmos DB unavailable, or a bug).'
    severity: 2
    query: 'requests\n| where url startswith "http"\n| summarize Requests = count(), Errors = countif(toint(resultCode) >= 500)\n| where Requests >= ${http5xxMinimumRequests}\n| extend ErrorPercent = 100.0 * Errors / Requests'
    measure: 'ErrorPercent'
    aggregation: 'Maximum'
    threshold: http5xxPercentThreshold
    dimension: ''
    scope: applicationInsightsId
    frequency: 'PT15M'
    window: 'PT15M'
  }
  {
    name: '${namePrefix}-logged-errors'
    displayName: 'Billing: errors logged for an operator'
    description: 'The app logged an Error during an invocation (a paid purchase not granted, a period that cannot be invoiced, a Stripe key of another account, an unexpected 500, ...). Read them with the query in docs/deploy.md (Alerts).'
    severity: 2
    query: 'traces\n| where severityLevel >= 3\n| extend Category = tostring(customDimensions.Category)\n| where Category matches regex @"^Function\\.[^.]+\\.User$"\n| where message !endswith "An exception was thrown by the invocation."\n| summarize Errors = count() by Function = extract(@"^Function\\.([^.]+)\\.User$", 1, Category)'
    measure: 'Errors'
    aggregation: 'Total'
    threshold: 0
    dimension: 'Function'
    scope: applicationInsightsId
    frequency: 'PT15M'
    window: 'PT15M'
  }
  {
    name: '${namePrefix}-silent-timers'
    displayName: 'Billing: a timer has not run'
    description: 'A timer function (usage invoicing, missed-event sweep) has not run for longer than its schedule allows: no invocation at all, failed or not. Check the function in the portal, restart the app; docs/deploy.md (Alerts).'
    severity: 1
    query: 'let timers = datatable(Function: string, SilenceHours: real) [${timerTable}];\nlet firstSeen = toscalar(requests | summarize min(timestamp));\ntimers\n| join kind=leftouter (requests | summarize LastRun = max(timestamp) by Function = operation_Name) on Function\n| extend HoursSilent = (now() - coalesce(LastRun, firstSeen)) / 1h\n| where HoursSilent > SilenceHours\n| summarize SilentTimers = count() by Function'
    measure: 'SilentTimers'
    aggregation: 'Total'
    threshold: 0
    dimension: 'Function'
    scope: applicationInsightsId
    frequency: 'PT1H'
    window: 'P2D'
  }
  {
    name: '${namePrefix}-cosmos-partition-size'
    displayName: 'Billing: a Cosmos DB logical partition is nearing 20 GB'
    description: 'A logical partition (an account id, in the accounts container) holds more than ${partitionSizeAlertGb} GB. At 20 GB Cosmos DB refuses every write into it (403, substatus 1014): that account\'s usage, invoices, credits and Stripe updates fail. Mostly usage idempotency keys: see docs/deploy.md, "Storage per account".'
    severity: 1
    query: 'CDBPartitionKeyStatistics\n| summarize SizeKb = max(SizeKb) by Partition = strcat(CollectionName, " ", PartitionKey)\n| extend SizeGb = SizeKb / 1048576.0'
    measure: 'SizeGb'
    aggregation: 'Maximum'
    threshold: partitionSizeAlertGb
    dimension: 'Partition'
    // The log is a periodic report, not a stream: the longest window a log alert takes (two days) sees the latest one.
    scope: workspaceId
    frequency: 'PT1H'
    window: 'P2D'
  }
]

resource alertRules 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = [
  for rule in rules: {
    name: rule.name
    location: location
    tags: tags
    kind: 'LogAlert'
    properties: {
      displayName: rule.displayName
      description: rule.description
      severity: rule.severity
      enabled: true
      scopes: [
        rule.scope
      ]
      evaluationFrequency: rule.frequency
      windowSize: rule.window
      autoMitigate: true
      criteria: {
        allOf: [
          {
            query: rule.query
            timeAggregation: rule.aggregation
            metricMeasureColumn: rule.measure
            operator: 'GreaterThan'
            threshold: rule.threshold
            dimensions: empty(rule.dimension)
              ? []
              : [
                  {
                    name: rule.dimension
                    operator: 'Include'
                    values: [
                      '*'
                    ]
                  }
                ]
            failingPeriods: {
              numberOfEvaluationPeriods: 1
              minFailingPeriodsToAlert: 1
            }
          }
        ]
      }
      actions: {
        actionGroups: [
          actionGroup.id
        ]
      }
    }
  }
]

output actionGroupId string = actionGroup.id
