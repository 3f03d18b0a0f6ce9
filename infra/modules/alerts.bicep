// Alerts to one e-mail address, as log search alerts on the Application Insights component (the Functions host's
// own telemetry, so nothing extra is collected or paid for at ingestion):
// - a message moved to any poison queue. Storage queue metrics cannot do this: QueueMessageCount is one capacity
//   figure for the whole account, hourly, with no queue-name dimension. Resource logs of the queue service
//   (StorageQueueLogs) could, but they would log every poll of every trigger queue and cost money while idle. The
//   host itself logs a warning each time it moves a message ("Message has reached MaxDequeueCount of 5. Moving
//   message to queue '<queue>-poison'."); the alert counts those per poison queue. A poison queue that only another
//   app's trigger feeds (billing-notifications-poison, by the product's consumer) is that app's to watch; the admin
//   endpoint GET /api/billing/admin/poison lists what sits in the app's own poison queues.
// - failed function invocations (queue, timer and HTTP), per function; HTTP 4xx answers are refusals, not failures;
// - the share of HTTP requests answered 5xx, over a minimum number of requests;
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
