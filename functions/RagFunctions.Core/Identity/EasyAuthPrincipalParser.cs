using System.Text.Json;

namespace RagFunctions.Core.Identity;

/// <summary>
/// Reads the <c>X-MS-CLIENT-PRINCIPAL</c> header that App Service Authentication (Easy Auth) injects after validating
/// the caller at the platform edge: base64 of UTF-8 JSON <c>{"auth_typ": …, "claims": [{"typ": …, "val": …}], "name_typ": …,
/// "role_typ": …}</c>. The user id is the Entra object id, whose claim type after App Service's claim mapping is
/// <c>http://schemas.microsoft.com/identity/claims/objectidentifier</c> (or plain <c>oid</c>); groups are the <c>groups</c>
/// claims; the name is the <c>name</c> claim, else the claim named by <c>name_typ</c>; app roles are the <c>roles</c> claims
/// (and claims of the type named by <c>role_typ</c>), as Entra ID issues app-role assignments.
/// Only call this when the app really runs behind Easy Auth: anyone can send the header to an unprotected app.
/// </summary>
public static class EasyAuthPrincipalParser
{
    public const string HeaderName = "X-MS-CLIENT-PRINCIPAL";
    public const string ObjectIdClaimType = "http://schemas.microsoft.com/identity/claims/objectidentifier";

    /// <summary>Larger headers are refused unread (App Service headers are far smaller).</summary>
    public const int MaxHeaderLength = 32 * 1024;

    /// <summary>The caller, or null with a reason when the header is absent, malformed or has no object id. Never throws on bad input.</summary>
    public static CallerIdentity? Parse(string? headerValue, out string? failureReason)
    {
        failureReason = null;
        if (string.IsNullOrWhiteSpace(headerValue))
        {
            failureReason = "header is missing";
            return null;
        }

        if (headerValue.Length > MaxHeaderLength)
        {
            failureReason = "header is too long";
            return null;
        }

        byte[] json;
        try
        {
            json = Convert.FromBase64String(headerValue.Trim());
        }
        catch (FormatException)
        {
            failureReason = "header is not base64";
            return null;
        }

        if (!System.Text.Unicode.Utf8.IsValid(json))
        {
            failureReason = "principal is not valid UTF-8 JSON";
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("claims", out var claims) || claims.ValueKind != JsonValueKind.Array)
            {
                failureReason = "principal has no claims array";
                return null;
            }

            var nameType = root.TryGetProperty("name_typ", out var nameTyp) && nameTyp.ValueKind == JsonValueKind.String ? nameTyp.GetString() : null;
            var roleType = root.TryGetProperty("role_typ", out var roleTyp) && roleTyp.ValueKind == JsonValueKind.String ? roleTyp.GetString() : null;
            var roles = new List<string>();
            string? objectId = null;
            string? name = null;
            string? mappedName = null;
            var groups = new List<string>();
            foreach (var claim in claims.EnumerateArray())
            {
                if (claim.ValueKind != JsonValueKind.Object
                    || !claim.TryGetProperty("typ", out var typ) || typ.ValueKind != JsonValueKind.String
                    || !claim.TryGetProperty("val", out var val) || val.ValueKind != JsonValueKind.String)
                {
                    continue;
                }

                var type = typ.GetString()!;
                var value = val.GetString()!;
                if (type is ObjectIdClaimType or "oid")
                {
                    objectId ??= value;
                }
                else if (type == "groups")
                {
                    if (value.Length > 0 && !groups.Contains(value, StringComparer.Ordinal))
                    {
                        groups.Add(value);
                    }
                }
                else if (type == "roles" || (roleType is not null && type == roleType))
                {
                    if (value.Length > 0 && !roles.Contains(value, StringComparer.Ordinal))
                    {
                        roles.Add(value);
                    }
                }
                else if (type == "name")
                {
                    name ??= value;
                }

                if (nameType is not null && type == nameType)
                {
                    mappedName ??= value;
                }
            }

            if (string.IsNullOrWhiteSpace(objectId))
            {
                failureReason = "principal has no oid claim";
                return null;
            }

            return new CallerIdentity(objectId, name ?? mappedName, groups, "easyauth") { Roles = roles };
        }
        catch (JsonException)
        {
            failureReason = "principal is not valid JSON";
            return null;
        }
    }
}
