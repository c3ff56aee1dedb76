using System.Text.Json;
using System.Text.Json.Nodes;
using NodaTime;
using SupportHub.Calendars;
using SupportHub.Policy;

namespace SupportHub.Core.Tests.Policy;

public class PolicyLoaderTests
{
    // The design example (shared/design/examples/policy.json) as shipped in the default sample;
    // every mistake below is one edit of it, so each case shows the one problem that edit causes.
    private static readonly string Example = RepositoryFiles.Read("samples/policy.json");

    [Theory]
    [InlineData("samples/policy.json")]           // the embedded default (seed 001)
    [InlineData("samples/policy-mountain.json")]  // seed 004: holidays, three priorities, no billing
    [InlineData("samples/policy-gmt5.json")]      // seed 002: fixed-offset zone, 24×7 tiers, intake
    public void Load_Sample_HasNoErrorsOrWarnings(string sample)
    {
        var result = PolicyLoader.Load(RepositoryFiles.Read(sample));

        Assert.Empty(result.Errors.Select(p => p.ToString()));
        Assert.Empty(result.Warnings.Select(p => p.ToString()));
        Assert.NotNull(result.Policy);
    }

    [Fact]
    public void Load_DesignExample_HasNoErrorsOrWarnings()
    {
        var result = PolicyLoader.Load(File.ReadAllText(DesignExamplePath()));

        Assert.Empty(result.Errors.Select(p => p.ToString()));
        Assert.Empty(result.Warnings.Select(p => p.ToString()));
    }

    [Fact]
    public void DefaultSample_DesignExample_IsContainedWithTheSameValues()
    {
        // The worked example (night-page) runs against the embedded sample, so the sample may add
        // to the example but never change or drop anything in it.
        var options = new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };
        using var example = JsonDocument.Parse(File.ReadAllText(DesignExamplePath()), options);
        using var sample = JsonDocument.Parse(Example, options);

        var differences = new List<string>();
        Contains(example.RootElement, sample.RootElement, "", differences);

        Assert.Empty(differences);
    }

    [Fact]
    public void Load_DefaultSample_BuildsThePolicyItDescribes()
    {
        var policy = PolicyLoader.Load(Example).Policy!;

        Assert.Equal("America/Chicago", policy.Organization.TimeZone.Id);
        var business = policy.Calendars["business"];
        Assert.Equal([new OpeningInterval(7 * 60, 19 * 60)], business.IntervalsOn(new LocalDate(2026, 11, 23)));
        Assert.Empty(business.IntervalsOn(new LocalDate(2026, 11, 26)));
        Assert.True(policy.Calendars["always"].AlwaysOpen);
        Assert.Equal(DateTimeZoneProviders.Tzdb["America/Chicago"], policy.Calendars["always"].Zone);
        Assert.Equal([1, 2, 3, 4], policy.Severities.Select(s => s.Level));
        Assert.True(policy.Severity(1)!.Emergency);
        var standard = policy.Tiers["standard"];
        Assert.Equal(("business", "always"), (standard.Hours, standard.EmergencyHours));
        Assert.Equal(new PolicyDuration(4, DurationUnit.BusinessHours), standard.Targets[2].Response);
        Assert.Null(standard.Targets[4].Resolve);
        Assert.Equal(new AfterHoursTerms(true, 200m, "USD", "hour", new PolicyDuration(2, DurationUnit.Hours), true), standard.AfterHours);
        // emergencyHours left out means the same as hours.
        Assert.Equal("always", policy.Tiers["enterprise"].EmergencyHours);
        Assert.Null(policy.Tiers["enterprise"].AfterHours);
        var acme = policy.FindAccount("acme")!;
        Assert.Equal(("Acme City", "standard"), (acme.Name, acme.Tier));
        Assert.Equal(["acme.gov"], acme.EmailDomains);
        Assert.True(acme.Contacts.Single().ApprovesBilling);
        Assert.Equal(("standard", 3), (policy.DefaultTier, policy.DefaultSeverity));
        Assert.Equal(new LocalDateTime(2026, 11, 2, 9, 0), policy.Rotations["primary"].Start);
        Assert.Equal(new PolicyDuration(1, DurationUnit.Weeks), policy.Rotations["primary"].Shift);
        Assert.Equal(new RotationOverride("primary", "carol", new LocalDateTime(2026, 11, 27, 0, 0), new LocalDateTime(2026, 11, 28, 0, 0)), policy.Overrides.Single());
        var page = policy.Escalation.Chains["page"];
        Assert.Equal(3, page.Steps.Count);
        Assert.Equal(new NotifyTarget(NotifyTargetKind.Rotation, "primary"), page.Steps[0].Notify.Single());
        Assert.Equal([Channel.Teams, Channel.Sms], page.Steps[0].Via);
        Assert.Equal(1, page.Repeat);
        Assert.Equal("page", policy.Escalation.OnCreate[1]);
        Assert.Equal(new PolicyDuration(3, DurationUnit.BusinessDays), policy.Escalation.NoProgress[3].After);
        Assert.Equal(0.75, policy.Escalation.SlaWarningAt);
        Assert.Equal(new LifecyclePolicy(new PolicyDuration(7, DurationUnit.BusinessDays), new PolicyDuration(5, DurationUnit.BusinessDays), new PolicyDuration(48, DurationUnit.Hours)), policy.Lifecycle);
        Assert.Equal(["product", "version", "os", "description"], policy.Intake!.RequiredFields);
    }

    [Fact]
    public void Load_MountainSample_ClosesOnFederalHolidaysAndPagesOnP1()
    {
        var policy = PolicyLoader.Load(RepositoryFiles.Read("samples/policy-mountain.json")).Policy!;

        var business = policy.Calendars["business"];
        Assert.Equal("America/Denver", business.Zone.Id);
        Assert.Equal(23, business.Holidays.Count);
        Assert.Contains(new LocalDate(2027, 7, 5), business.Holidays); // 4 July 2027 is a Sunday
        Assert.Equal("critical-line", policy.Escalation.OnCreate[1]);
        Assert.Equal(new PolicyDuration(1, DurationUnit.BusinessDays), policy.Escalation.NoProgress[2].After);
        Assert.Equal(new PolicyDuration(3, DurationUnit.BusinessDays), policy.Escalation.NoProgress[3].After);
    }

    [Fact]
    public void Load_Gmt5Sample_UsesAFixedOffsetAndTwo24x7Tiers()
    {
        var policy = PolicyLoader.Load(RepositoryFiles.Read("samples/policy-gmt5.json")).Policy!;

        Assert.Equal(Offset.FromHours(-5), policy.Organization.TimeZone.GetUtcOffset(Instant.FromUtc(2026, 7, 1, 0, 0)));
        Assert.Equal(["command", "patrol"], policy.Tiers.Values.Where(t => policy.Calendars[t.Hours].AlwaysOpen).Select(t => t.Id).Order());
        Assert.False(policy.Tiers["enlist"].Targets.ContainsKey(4)); // Sev 4: no SLA
    }

    // One edit of the example each (a JSON Pointer and the new value, null to remove), and every
    // line the loader must print for it, exactly, as `policy check` prints them: errors, then any
    // warnings the same edit causes. Each edit is an error: the policy does not load.
    public static TheoryData<string, string?, string> Mistakes => new()
    {
        // The message users see most; its wording is part of the contract of `policy check`.
        { "/tiers/standard/targets/2/response", "\"4 hours\"", "tiers.standard.targets.2.response: \"4 hours\" is not a duration (use 30m, 4h, 15d, 4bh or 2bd)" },
        // A typo of a real field must not be silently ignored (the tier would fall back to hours).
        { "/tiers/standard/emergencyHour", "\"always\"", "tiers.standard.emergencyHour: unknown field; did you mean \"emergencyHours\"?" },
        // Nothing close: list what is allowed instead.
        { "/lifecycle/autoClose", "\"3d\"", "lifecycle.autoClose: unknown field (known fields here: pendingAutoSolve, reopenWindow, csatSurveyAfter)" },
        { "/organization/timeZone", "\"America/Chicgo\"", "organization.timeZone: \"America/Chicgo\" is not a known time zone (did you mean \"America/Chicago\"?)" },
        // Seed 002 says "GMT-5"; IANA spells that Etc/GMT+5, which surprises everyone.
        { "/calendars/business/timeZone", "\"GMT-5\"", "calendars.business.timeZone: \"GMT-5\" is not a known time zone (for a fixed offset write \"Etc/GMT+5\"; IANA inverts the sign)" },
        { "/tiers/enterprise/hours", "\"bussiness\"", "tiers.enterprise.hours: unknown calendar \"bussiness\" (did you mean \"business\"?)" },
        { "/accounts/0/tier", "\"premium\"", "accounts[0].tier: unknown tier \"premium\" (known: standard, enterprise)" },
        { "/defaultTier", "\"gold\"", "defaultTier: unknown tier \"gold\" (known: standard, enterprise)" },
        { "/rotations/primary/participants/1", "\"bobb\"", "rotations.primary.participants[1]: unknown person \"bobb\" (did you mean \"bob\"?)" },
        { "/escalation/chains/page/steps/1/notify/0", "\"rotation:secondry\"", "escalation.chains.page.steps[1].notify[0]: unknown rotation \"secondry\" (did you mean \"secondary\"?)" },
        { "/escalation/chains/page/steps/2/notify/0", "\"team:ops\"", "escalation.chains.page.steps[2].notify[0]: \"team:ops\" is not a target (use rotation:NAME, person:ID, account:approvers or account:emergency)" },
        { "/escalation/onCreate/1", "\"pgae\"", "escalation.onCreate.1: unknown chain \"pgae\" (did you mean \"page\"?)" },
        { "/escalation/chains/page/steps/0/via/1", "\"pager\"", "escalation.chains.page.steps[0].via[1]: \"pager\" is not a channel (use teams, sms or email)" },
        // Units: weeks only in rotations, shifts in h/d/w, acknowledgement windows in real minutes or hours.
        { "/tiers/standard/targets/3/restore", "\"1w\"", "tiers.standard.targets.3.restore: \"1w\" uses weeks, which only rotation shifts may (write 7d)" },
        { "/rotations/primary/shift", "\"8bh\"", "rotations.primary.shift: \"8bh\" is not allowed here: a rotation shift is in hours, days or weeks (h, d or w)" },
        { "/escalation/chains/page/steps/0/ackWithin", "\"1d\"", "escalation.chains.page.steps[0].ackWithin: \"1d\" is not allowed here: an acknowledgement window is in minutes or hours of real time (m or h)" },
        // Business time never passes while an after-hours approval waits.
        { "/tiers/standard/afterHours/approvalTimeout", "\"2bh\"", "tiers.standard.afterHours.approvalTimeout: \"2bh\" is not allowed here: the approval window runs while support is closed, so it is in real time (m, h or d)" },
        // A zero target would breach at the instant a ticket arrives.
        { "/tiers/standard/targets/1/response", "\"0h\"", "tiers.standard.targets.1.response: \"0h\" must be more than zero" },
        // Intervals: malformed, crossing midnight, overlapping (touching is fine: [start, end)).
        { "/calendars/business/weekly/wed/0", "\"7:00-19:00\"", "calendars.business.weekly.wed[0]: \"7:00-19:00\" is not an interval (use HH:mm-HH:mm, e.g. 09:00-17:00; 24:00 ends a day)" },
        { "/calendars/business/weekly/tue", "[\"22:00-02:00\"]", "calendars.business.weekly.tue[0]: \"22:00-02:00\" ends before it starts or crosses midnight (write two intervals, the first ending at 24:00)" },
        { "/calendars/business/weekly/mon", "[\"07:00-12:00\", \"11:00-19:00\"]", "calendars.business.weekly.mon[1]: \"11:00-19:00\" overlaps \"07:00-12:00\" (calendars.business.weekly.mon[0])" },
        { "/calendars/business/weekly", "{ \"mon\": [] }", "calendars.business.weekly: is never open: give at least one day an interval, or use \"alwaysOpen\": true" },
        { "/calendars/always", "{ }", "calendars.always: needs \"weekly\" opening hours or \"alwaysOpen\": true" },
        { "/calendars/always/holidays", "[\"2026-12-25\"]", "calendars.always.holidays: an alwaysOpen calendar is open on holidays too; remove them or give weekly hours instead" },
        // Dates: a real-looking date that does not exist, and a holiday listed twice.
        { "/calendars/business/holidays/0", "\"2026-02-30\"", "calendars.business.holidays[0]: \"2026-02-30\" is not a real date" },
        { "/calendars/business/holidays/2", "\"2026-11-26\"", "calendars.business.holidays[2]: \"2026-11-26\" is listed twice (also calendars.business.holidays[0])" },
        // Accounts: whatever identifies a requester must name one account (compared case-insensitively).
        { "/accounts/1/id", "\"ACME\"", "accounts[1].id: \"ACME\" is used twice (also accounts[0].id)" },
        { "/accounts/1/emailDomains/0", "\"Acme.GOV\"", "accounts[1].emailDomains[0]: \"Acme.GOV\" is already listed at accounts[0].emailDomains[0]" },
        { "/accounts/1/phoneNumbers/0", "\"+13125550100\"", "accounts[1].phoneNumbers[0]: \"+13125550100\" is already listed at accounts[0].phoneNumbers[0]" },
        { "/accounts/1/contacts/0/phone", "\"+13125550101\"", "accounts[1].contacts[0].phone: \"+13125550101\" is already listed at accounts[0].contacts[0].phone, another account" },
        { "/accounts/1/contacts/0/email", "\"DANA@acme.gov\"", "accounts[1].contacts[0].email: \"DANA@acme.gov\" is already listed at accounts[0].contacts[0].email" },
        { "/accounts/0/phoneNumbers/0", "\"312-555-0100\"", "accounts[0].phoneNumbers[0]: \"312-555-0100\" is not an E.164 phone number (a + and the country code, digits only, e.g. +13125550100)" },
        { "/accounts/0/contacts/0/email", "\"dana.acme.gov\"", "accounts[0].contacts[0].email: \"dana.acme.gov\" is not an email address" },
        { "/accounts/0/emailDomains/0", "\"it@acme.gov\"", "accounts[0].emailDomains[0]: \"it@acme.gov\" is an email address; give only its domain, acme.gov" },
        // Reported once, not again as "bob has no phone" by every step that texts the rotation.
        { "/people/bob/phone", "\"5550002\"", "people.bob.phone: \"5550002\" is not an E.164 phone number (a + and the country code, digits only, e.g. +13125550100)" },
        // Someone no channel can ever reach stays an error (a missing address for one channel is a warning, below).
        { "/people/dave", "{ \"name\": \"Dave\" }", "people.dave: has no email, phone or teamsUserId, so could never be notified" },
        // Severities are 1..n, each once; keys naming severities must be defined levels.
        { "/severities/3/level", "5", "severities[3].level: must be between 1 and 4: levels run 1..n, one per severity, 1 the most severe\ntiers.standard.targets.4: severity 4 is not defined (defined levels are 1, 2, 3, 5)" },
        { "/tiers/enterprise/targets/5", "{ \"response\": \"1h\" }", "tiers.enterprise.targets.5: severity 5 is not defined (defined levels are 1, 2, 3, 4)" },
        { "/escalation/noProgress/high", "{ \"after\": \"1bd\", \"notify\": [\"person:carol\"], \"via\": [\"email\"] }", "escalation.noProgress.high: \"high\" is not a severity level (defined levels are 1, 2, 3, 4)" },
        { "/defaultSeverity", "7", "defaultSeverity: severity 7 is not defined (defined levels are 1, 2, 3, 4)" },
        // Others' emergencies become severity 2 under emergencyContactsOnly, so 2 cannot be one (an
        // error); that 2 now starts no chain is only a warning, reported alongside.
        { "/severities/1/emergency", "true", "tiers.standard.afterHours.emergencyContactsOnly: emergencies from other requesters are treated as severity 2, which is itself an emergency\nwarning: escalation.onCreate: severity 2 (\"High\") is an emergency but starts no chain, so nobody is paged for it; add \"2\": \"<chain>\"" },
        // Rotations and overrides.
        { "/overrides/0/to", "\"2026-11-27T00:00\"", "overrides[0].to: must be after from (2026-11-27T00:00)" },
        { "/overrides/0/from", "\"2026-11-27 00:00\"", "overrides[0].from: \"2026-11-27 00:00\" is not a local date and time (use YYYY-MM-DDTHH:mm without an offset, e.g. 2026-11-02T09:00)" },
        { "/overrides/1", "{ \"rotation\": \"primary\", \"person\": \"bob\", \"from\": \"2026-11-27T12:00\", \"to\": \"2026-11-29T00:00\" }", "overrides[1]: overlaps overrides[0] on rotation \"primary\"" },
        { "/overrides/0/rotation", "\"tertiary\"", "overrides[0].rotation: unknown rotation \"tertiary\" (known: primary, secondary)" },
        // Chains.
        { "/escalation/chains/page/steps", "[]", "escalation.chains.page.steps: a chain needs at least one step" },
        { "/escalation/chains/page/repeat", "-1", "escalation.chains.page.repeat: must be 0 or more (how many more rounds after the first), not -1" },
        { "/escalation/slaWarningAt", "1", "escalation.slaWarningAt: must be a share between 0 and 1 (exclusive), e.g. 0.75, not 1" },
        // After-hours billing: nothing is billed without a price, a deadline and someone to approve.
        { "/tiers/standard/afterHours/rate", "0", "tiers.standard.afterHours.rate: must be more than zero, not 0" },
        { "/tiers/standard/afterHours/currency", null, "tiers.standard.afterHours.currency: is required when billable is true" },
        { "/tiers/standard/afterHours/currency", "\"usd\"", "tiers.standard.afterHours.currency: \"usd\" is not an ISO 4217 currency code (three capital letters, e.g. USD)" },
        { "/accounts/0/contacts/0/approvesBilling", "false", "accounts[0].contacts: tier \"standard\" bills after-hours work, but no contact has \"approvesBilling\": true, so nobody could approve it" },
        // Missing fields and wrong JSON types.
        { "/organization/name", null, "organization.name: is required" },
        { "/lifecycle", null, "lifecycle: is required" },
        { "/defaultSeverity", "\"3\"", "defaultSeverity: must be a number, not the string \"3\"" },
        { "/severities/0/emergency", "\"yes\"", "severities[0].emergency: must be true or false, not the string \"yes\"" },
        { "/accounts", "{ }", "accounts: must be an array, not an object" },
        // Not also "severity 2 is not defined" for every target of it: the level is unknowable, not missing.
        { "/severities/1/level", "2.5", "severities[1].level: must be a whole number, not 2.5" },
        { "/organization/name", "\"  \"", "organization.name: must not be empty" },
        { "/intake/requiredFields/2", "\"osversion\"", "intake.requiredFields[2]: \"osversion\" is not something a request can carry (did you mean \"version\"?)" },
        // The SMS switch (issue 23): a typo or a string must not leave strangers silently unanswered or answered.
        { "/channels", "{ \"sms\": { \"replyToUnknow\": true } }", "channels.sms.replyToUnknow: unknown field; did you mean \"replyToUnknown\"?" },
        { "/channels", "{ \"sms\": { \"replyToUnknown\": \"yes\" } }", "channels.sms.replyToUnknown: must be true or false, not the string \"yes\"" },
        { "/channels", "{ \"pager\": { } }", "channels.pager: unknown field (known fields here: sms)" },
    };

    [Theory]
    [MemberData(nameof(Mistakes))]
    public void Load_OneMistake_ReportsExactlyItsErrors(string pointer, string? value, string expected)
    {
        var result = PolicyLoader.Load(Edit(WithSecondAccount(), (pointer, value)));

        Assert.Equal(expected, Lines(result));
        Assert.NotEmpty(result.Errors);
        Assert.Null(result.Policy);
    }

    // Edits the hub can run with although something may not reach someone (CONTRACT.md): every
    // warning line, exactly; no error, and the policy loads.
    public static TheoryData<string, string?, string> WarningEdits => new()
    {
        // A page by SMS to someone without a phone: they are still paged by Teams (and email where
        // the step says so), and the page records the skipped SMS. Carol also stands in for primary
        // by an override, so its step is affected too.
        { "/people/carol/phone", null, "warning: escalation.chains.page.steps[0].notify[0]: rotation \"primary\" includes \"carol\", who has no phone, needed for \"sms\"; the other channels still reach them and the skip is recorded\nwarning: escalation.chains.page.steps[1].notify[0]: rotation \"secondary\" includes \"carol\", who has no phone, needed for \"sms\"; the other channels still reach them and the skip is recorded\nwarning: escalation.chains.page.steps[2].notify[0]: person \"carol\" has no phone, needed for \"sms\"; the other channels still reach them and the skip is recorded" },
        // Email only: steps 1 and 2 (teams, sms) cannot reach her at all, step 3 still can by email.
        { "/people/carol", "{ \"name\": \"Carol\", \"email\": \"carol@example.com\" }", "warning: escalation.chains.page.steps[0].notify[0]: rotation \"primary\" includes \"carol\", who has no teamsUserId, needed for \"teams\"; no channel listed here reaches them\nwarning: escalation.chains.page.steps[0].notify[0]: rotation \"primary\" includes \"carol\", who has no phone, needed for \"sms\"; no channel listed here reaches them\nwarning: escalation.chains.page.steps[1].notify[0]: rotation \"secondary\" includes \"carol\", who has no teamsUserId, needed for \"teams\"; no channel listed here reaches them\nwarning: escalation.chains.page.steps[1].notify[0]: rotation \"secondary\" includes \"carol\", who has no phone, needed for \"sms\"; no channel listed here reaches them\nwarning: escalation.chains.page.steps[2].notify[0]: person \"carol\" has no teamsUserId, needed for \"teams\"; the other channels still reach them and the skip is recorded\nwarning: escalation.chains.page.steps[2].notify[0]: person \"carol\" has no phone, needed for \"sms\"; the other channels still reach them and the skip is recorded" },
        // An emergency that pages nobody is a silent outage, but the ticket still opens and its clocks run.
        { "/escalation/onCreate/1", null, "warning: escalation.onCreate: severity 1 (\"Critical\") is an emergency but starts no chain, so nobody is paged for it; add \"1\": \"<chain>\"" },
    };

    [Theory]
    [MemberData(nameof(WarningEdits))]
    public void Load_OneWarning_LoadsAndReportsExactlyItsWarnings(string pointer, string? value, string expected)
    {
        var result = PolicyLoader.Load(Edit(WithSecondAccount(), (pointer, value)));

        Assert.Equal(expected, Lines(result));
        Assert.Empty(result.Errors);
        Assert.NotNull(result.Policy);
    }

    [Fact]
    public void Load_ErrorAndWarning_KeepsThemApartAndDoesNotLoad()
    {
        var result = PolicyLoader.Load(Edit(Example, ("/people/carol/phone", null), ("/escalation/slaWarningAt", "1")));

        Assert.Equal(["escalation.slaWarningAt"], result.Errors.Select(e => e.Path));
        Assert.Equal(3, result.Warnings.Count);
        Assert.All(result.Warnings, w => Assert.Contains("\"carol\"", w.Message, StringComparison.Ordinal));
        Assert.All(result.Warnings, w => Assert.Contains("no phone, needed for \"sms\"", w.Message, StringComparison.Ordinal));
        Assert.Null(result.Policy);
    }

    [Fact]
    public void Load_ManyMistakes_ReportsEveryOne()
    {
        var json = Edit(
            WithSecondAccount(),
            ("/tiers/standard/targets/2/response", "\"4 hours\""),
            ("/tiers/standard/emergencyHour", "\"always\""),
            ("/organization/timeZone", "\"America/Chicgo\""),
            ("/calendars/business/holidays/0", "\"2026-02-30\""),
            ("/accounts/1/emailDomains/0", "\"acme.gov\""),
            ("/rotations/primary/participants/1", "\"bobb\""),
            ("/escalation/chains/page/repeat", "-1"),
            ("/lifecycle/reopenWindow", "\"5 days\""));

        var problems = PolicyLoader.Load(json).Errors.Select(p => p.ToString()).ToList();

        Assert.Equal(
            [
                "organization.timeZone: \"America/Chicgo\" is not a known time zone (did you mean \"America/Chicago\"?)",
                "calendars.business.holidays[0]: \"2026-02-30\" is not a real date",
                "tiers.standard.emergencyHour: unknown field; did you mean \"emergencyHours\"?",
                "tiers.standard.targets.2.response: \"4 hours\" is not a duration (use 30m, 4h, 15d, 4bh or 2bd)",
                "accounts[1].emailDomains[0]: \"acme.gov\" is already listed at accounts[0].emailDomains[0]",
                "rotations.primary.participants[1]: unknown person \"bobb\" (did you mean \"bob\"?)",
                "escalation.chains.page.repeat: must be 0 or more (how many more rounds after the first), not -1",
                "lifecycle.reopenWindow: \"5 days\" is not a duration (use 30m, 4h, 15d, 4bh or 2bd)",
            ],
            problems);
    }

    [Theory]
    // A missing brace: the one case where the loader cannot go on, so it says where it stopped.
    [InlineData("{\n  \"organization\": {\n    \"name\": \"x\",\n  \"calendars\": }", "$: not valid JSON at line 4, position 16: '}' is an invalid start of a value.")]
    [InlineData("", "$: not valid JSON at line 1, position 1: ")]
    // Valid JSON but not a policy at all.
    [InlineData("[1, 2]", "$: a policy must be a JSON object { … }")]
    public void Load_NotAPolicyObject_ReportsWhereItStopped(string json, string expected)
    {
        var result = PolicyLoader.Load(json);

        // The reason after the position is the runtime's own wording.
        Assert.StartsWith(expected, Assert.Single(result.Errors).ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Load_RepeatedField_IsReported()
    {
        // JsonObject cannot even hold a repeated name, so this one is raw text: the second value
        // would silently win in most JSON readers.
        var json = Example.Replace("\"defaultSeverity\": 3,", "\"defaultSeverity\": 3, \"defaultSeverity\": 2,", StringComparison.Ordinal);

        var result = PolicyLoader.Load(json);

        Assert.Equal("defaultSeverity: appears more than once in the same object", Assert.Single(result.Errors).ToString());
    }

    [Fact]
    public void Load_CommentsTrailingCommasAndSchema_AreAccepted()
    {
        var json = Example.Replace("\"defaultSeverity\": 3,", "\"defaultSeverity\": 3, /* block */ // line\n", StringComparison.Ordinal)
            .Replace("\"csatSurveyAfter\": \"48h\" }", "\"csatSurveyAfter\": \"48h\", }", StringComparison.Ordinal);

        var result = PolicyLoader.Load(json);

        Assert.Empty(result.Errors);
        Assert.Contains("$schema", Example, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_OptionalSectionsLeftOut_UsesTheirDefaults()
    {
        var json = Edit(Example,
            ("/defaultSeverity", null),
            ("/escalation/slaWarningAt", null),
            ("/escalation/chains/page/repeat", null),
            ("/accounts/0/name", null),
            ("/intake", null),
            ("/tiers/standard/afterHours/per", null));

        var policy = PolicyLoader.Load(json).Policy!;

        Assert.Equal(3, policy.DefaultSeverity);
        Assert.Equal(0.75, policy.Escalation.SlaWarningAt);
        Assert.Equal(0, policy.Escalation.Chains["page"].Repeat);
        Assert.Equal("acme", policy.Accounts[0].Name);
        Assert.Null(policy.Intake);
        Assert.Equal("hour", policy.Tiers["standard"].AfterHours!.Per);
        Assert.Null(policy.Channels);
    }

    [Theory]
    // Left out at each level, the SMS switch is off: a stranger's text is not answered.
    [InlineData("{ }", false)]
    [InlineData("{ \"sms\": { } }", false)]
    [InlineData("{ \"sms\": { \"replyToUnknown\": false } }", false)]
    [InlineData("{ \"sms\": { \"replyToUnknown\": true } }", true)]
    public void Load_ChannelsSms_ReadsReplyToUnknown(string channels, bool expected)
    {
        var policy = PolicyLoader.Load(Edit(Example, ("/channels", channels))).Policy!;

        Assert.Equal(expected, policy.Channels!.Sms.ReplyToUnknown);
    }

    [Fact]
    public void Load_EmailDomainInCapitals_IsStoredLowerCase()
    {
        var policy = PolicyLoader.Load(Edit(Example, ("/accounts/0/emailDomains/0", "\"ACME.gov\""))).Policy!;

        Assert.Equal(["acme.gov"], policy.Accounts[0].EmailDomains);
    }

    [Fact]
    public void Load_IntervalsThatTouch_DoNotOverlap()
    {
        // [07:00, 12:00) and [12:00, 19:00) share no minute.
        var result = PolicyLoader.Load(Edit(Example, ("/calendars/business/weekly/mon", "[\"12:00-19:00\", \"07:00-12:00\"]")));

        Assert.Empty(result.Errors);
        Assert.Equal(
            [new OpeningInterval(7 * 60, 12 * 60), new OpeningInterval(12 * 60, 19 * 60)],
            result.Policy!.Calendars["business"].IntervalsOn(new LocalDate(2026, 11, 23)));
    }

    [Fact]
    public void ProblemToString_IsPathColonMessage()
    {
        Assert.Equal("accounts[0].emailDomains[1]: x", new PolicyProblem("accounts[0].emailDomains[1]", "x").ToString());
    }

    /// <summary>
    /// A verbatim copy of design/examples/policy.json (the design docs live outside the repository,
    /// and CI runs from a plain checkout).
    /// </summary>
    private static string DesignExamplePath() => Path.Combine(AppContext.BaseDirectory, "Policy", "DesignExample.policy.json");

    /// <summary>What <c>policy check</c> prints for <paramref name="result"/>: errors, then warnings marked as such.</summary>
    private static string Lines(PolicyLoadResult result) =>
        string.Join("\n", result.Errors.Select(e => e.ToString()).Concat(result.Warnings.Select(w => $"warning: {w}")));

    /// <summary>The example with a second account (on the enterprise tier, which bills nothing) for the duplicate cases.</summary>
    private static string WithSecondAccount() => Edit(Example, ("/accounts/1", """
        { "id": "globex", "tier": "enterprise", "emailDomains": ["globex.com"], "phoneNumbers": ["+14155550100"],
          "contacts": [ { "name": "Hank", "email": "hank@globex.com", "phone": "+14155550101" } ] }
        """));

    /// <summary>Applies edits by JSON Pointer: a value sets or appends (an index one past the end), null removes.</summary>
    private static string Edit(string json, params (string Pointer, string? Value)[] edits)
    {
        var root = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true })!;
        foreach (var (pointer, value) in edits)
        {
            var segments = pointer.Split('/')[1..];
            var parent = segments[..^1].Aggregate(root, (node, segment) => node is JsonArray array ? array[int.Parse(segment)]! : node[segment]!);
            var last = segments[^1];
            var node = value is null ? null : JsonNode.Parse(value);
            switch (parent)
            {
                case JsonObject obj when node is null:
                    Assert.True(obj.Remove(last), $"{pointer} does not exist");
                    break;
                case JsonObject obj:
                    obj[last] = node;
                    break;
                case JsonArray array when int.Parse(last) == array.Count:
                    array.Add(node);
                    break;
                case JsonArray array when node is null:
                    array.RemoveAt(int.Parse(last));
                    break;
                case JsonArray array:
                    array[int.Parse(last)] = node;
                    break;
            }
        }
        return root.ToJsonString();
    }

    /// <summary>Records every place where <paramref name="expected"/> has something <paramref name="actual"/> lacks or differs in.</summary>
    private static void Contains(JsonElement expected, JsonElement actual, string path, List<string> differences)
    {
        if (expected.ValueKind != actual.ValueKind)
        {
            differences.Add($"{path}: {expected.ValueKind} in the example, {actual.ValueKind} in the sample");
            return;
        }
        switch (expected.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in expected.EnumerateObject())
                {
                    if (actual.TryGetProperty(property.Name, out var value))
                    {
                        Contains(property.Value, value, $"{path}.{property.Name}", differences);
                    }
                    else
                    {
                        differences.Add($"{path}.{property.Name}: missing from the sample");
                    }
                }
                break;
            case JsonValueKind.Array:
                var actualItems = actual.EnumerateArray().ToList();
                var index = 0;
                foreach (var item in expected.EnumerateArray())
                {
                    if (index < actualItems.Count)
                    {
                        Contains(item, actualItems[index], $"{path}[{index}]", differences);
                    }
                    else
                    {
                        differences.Add($"{path}[{index}]: missing from the sample");
                    }
                    index++;
                }
                break;
            default:
                if (expected.GetRawText() != actual.GetRawText())
                {
                    differences.Add($"{path}: {expected.GetRawText()} in the example, {actual.GetRawText()} in the sample");
                }
                break;
        }
    }
}
