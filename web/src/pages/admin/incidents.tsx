/** Administrator page (being built). */
export default function Page() {
  return null;
}
