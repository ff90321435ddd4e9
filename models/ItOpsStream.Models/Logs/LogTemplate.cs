namespace ItOpsStream.Models.Logs;

/// <summary>A mined template: its stable id, its text with <c>&lt;*&gt;</c> for variables, and how many messages it took.</summary>
/// <param name="Id">Stable id; kept while the template generalises.</param>
/// <param name="Text">The template text.</param>
/// <param name="Count">Messages matched so far (carried across snapshots).</param>
public sealed record LogTemplate(int Id, string Text, long Count);

/// <summary>The result of mining one message.</summary>
/// <param name="TemplateId">The id of the template the message belongs to now.</param>
/// <param name="IsNewTemplate">True when this message created the template.</param>
public readonly record struct TemplateMatch(int TemplateId, bool IsNewTemplate);
