/** IAM and key policy documents as AWS reads them, and the account an ARN names. */

/** An IAM policy document, as AWS reads it. */
export interface PolicyDocument {
  readonly Version: "2012-10-17";
  readonly Statement: readonly PolicyStatement[];
}

export interface PolicyStatement {
  readonly Sid: string;
  readonly Effect: "Allow";
  readonly Principal?: { readonly Service: string | readonly string[] } | { readonly AWS: string };
  readonly Action: string | readonly string[];
  readonly Resource?: string | readonly string[];
  readonly Condition?: Record<string, Record<string, string>>;
}

/** The account of an ARN (`arn:partition:service:region:account:…`). */
export function accountOfArn(arn: string): string {
  const account = arn.split(":")[4];
  if (account === undefined || !/^\d{12}$/.test(account)) throw new Error(`not an ARN with an account id: ${JSON.stringify(arn)}`);
  return account;
}

