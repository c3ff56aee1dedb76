namespace SupportHub.Policy;

/// <summary>
/// The one list of the fields each object of a policy document may carry. The loader rejects any
/// other field (suggesting the closest of these), and a test holds schema/policy.schema.json to
/// exactly this list, so the schema and the loader cannot drift apart.
/// </summary>
internal static class PolicyFields
{
    // Keys are shapes: the path of an object with "*" for any entry of a map and "[]" for any item
    // of an array ("" is the document itself).
    public static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> Objects = new Dictionary<string, IReadOnlyList<string>>
    {
        [""] =
        [
            "$schema", "organization", "calendars", "severities", "tiers", "accounts", "defaultTier",
            "defaultSeverity", "people", "rotations", "overrides", "escalation", "lifecycle", "intake",
            "channels",
        ],
        ["organization"] = ["name", "timeZone", "supportAddress"],
        ["calendars.*"] = ["timeZone", "weekly", "holidays", "alwaysOpen"],
        ["calendars.*.weekly"] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
        ["severities[]"] = ["level", "name", "emergency", "description"],
        ["tiers.*"] = ["hours", "emergencyHours", "targets", "afterHours"],
        ["tiers.*.targets.*"] = ["response", "restore", "resolve"],
        ["tiers.*.afterHours"] = ["billable", "rate", "currency", "per", "approvalTimeout", "emergencyContactsOnly"],
        ["accounts[]"] = ["id", "name", "tier", "emailDomains", "phoneNumbers", "contacts"],
        ["accounts[].contacts[]"] = ["name", "email", "phone", "emergency", "approvesBilling"],
        ["people.*"] = ["name", "email", "phone", "teamsUserId"],
        ["rotations.*"] = ["participants", "start", "shift"],
        ["overrides[]"] = ["rotation", "person", "from", "to"],
        ["escalation"] = ["chains", "onCreate", "noProgress", "slaWarningAt"],
        ["escalation.chains.*"] = ["steps", "repeat", "whenExhausted"],
        ["escalation.chains.*.steps[]"] = ["notify", "via", "ackWithin"],
        ["escalation.chains.*.whenExhausted"] = ["notify", "via"],
        ["escalation.noProgress.*"] = ["after", "notify", "via"],
        ["lifecycle"] = ["pendingAutoSolve", "reopenWindow", "csatSurveyAfter"],
        ["intake"] = ["requiredFields"],
        ["channels"] = ["sms"],
        ["channels.sms"] = ["replyToUnknown"],
    };

    /// <summary>What <c>intake.requiredFields</c> may name: what a new request should carry (seed 002).</summary>
    public static readonly IReadOnlyList<string> IntakeFields = ["product", "version", "os", "description"];

    /// <summary>The billing units <c>afterHours.per</c> may name.</summary>
    public static readonly IReadOnlyList<string> BillingUnits = ["hour", "incident"];
}
